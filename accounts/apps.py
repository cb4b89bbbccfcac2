from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import middleware  # noqa: F401 (connects the sign-in time receiver)
