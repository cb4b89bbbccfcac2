from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Nobody signs themselves up: an administrator invites each user.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Someone who has just signed in with a password and has no two-factor yet is made to
        # enrol before anything else; asking for the password again at that step adds nothing.
        # Every later two-factor change (new codes, removing the app) still asks.
        user = getattr(getattr(self, "request", None), "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated:
            from accounts.permissions import has_second_factor

            if not has_second_factor(user):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
