"""The Django admin is for configuration only, and it writes through the services.

Reference data without rules of its own saves through `core.services`; models with rules
(panels, areas, wards, users) override `save_model` to call their app's services. Case content,
memberships and the access log are not in the admin at all, or read-only.
"""

from simple_history.admin import SimpleHistoryAdmin

from core.services import reference_data_delete, reference_data_save


class ReferenceDataAdmin(SimpleHistoryAdmin):
    def save_model(self, request, obj, form, change) -> None:
        reference_data_save(instance=obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        reference_data_delete(instance=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            reference_data_delete(instance=obj, by=request.user)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Shown for reference; changed only on the service's own pages."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
