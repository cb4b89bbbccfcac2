from django.contrib import admin

from core.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: who looked at what. The database refuses changes anyway."""

    list_display = ["at", "user", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["object_id", "user__email", "request_id"]
    date_hierarchy = "at"
    list_select_related = ["user", "object_type"]
    fields = [
        "at",
        "user",
        "roles",
        "agencies",
        "action",
        "object_type",
        "object_id",
        "object_ids",
        "ip_address",
        "request_id",
        "path",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
