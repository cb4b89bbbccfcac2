"""Model permissions for the Django admin, computed from the role at request time.

ModelBackend's sign-in, but no permission comes from groups or per-user grants (nothing to keep
in step): an active system administrator (`is_staff`) holds exactly the permissions that
`accounts.permissions` lists, everyone else none. Case data is never in the admin.
"""

from django.contrib.auth.backends import ModelBackend

from accounts.permissions import is_signed_in_person, system_administrator_permissions


class RoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None or not (is_signed_in_person(user_obj) and user_obj.is_staff):
            return set()
        return system_administrator_permissions()
