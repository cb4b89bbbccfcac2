"""Users, agencies and roles are read-only here: they are managed on the user and agency pages,
whose services refuse a self-grant and record every grant. Only a user's name and job title can
be corrected here, through the same service as elsewhere."""

from django.contrib import admin

from accounts import services
from accounts.models import Agency, AgencyMembership, PanelMembership, User
from core.admin import ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PanelMembershipInline(ReadOnlyInline):
    model = PanelMembership
    fields = ["panel", "role"]


class AgencyMembershipInline(ReadOnlyInline):
    model = AgencyMembership
    fields = ["agency", "role"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "job_title", "is_active", "is_staff", "last_login"]
    readonly_fields = ["email", "is_active", "is_staff", "last_login"]
    inlines = [PanelMembershipInline, AgencyMembershipInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("accounts.change_user")

    def save_model(self, request, obj, form, change) -> None:
        services.user_update(
            user=obj, full_name=obj.full_name, job_title=obj.job_title, by=request.user
        )


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["name", "agency_type", "is_active"]
    list_filter = ["agency_type", "is_active", "panels"]
    search_fields = ["name"]
    fields = ["name", "agency_type", "email", "panels", "is_active"]
