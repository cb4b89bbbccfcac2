from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_system_administrators(sender, **kwargs) -> None:
    from accounts.permissions import system_administrators_group

    system_administrators_group()


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import middleware  # noqa: F401 (connects the sign-in time receiver)

        # Permissions exist only after migrate has run, so the group is set up then.
        post_migrate.connect(_sync_system_administrators, sender=self)
