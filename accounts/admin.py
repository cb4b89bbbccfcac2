from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Agency, AgencyMembership, PanelMembership, User


class PanelMembershipInline(admin.TabularInline):
    model = PanelMembership
    extra = 0
    fields = ["panel", "role"]


class AgencyMembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    fields = ["agency", "role"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "job_title", "is_active", "is_staff", "last_login"]
    readonly_fields = ["last_login"]
    inlines = [PanelMembershipInline, AgencyMembershipInline]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agency_type", "is_active"]
    list_filter = ["agency_type", "is_active", "panels"]
    search_fields = ["name"]
    fields = ["name", "agency_type", "email", "panels", "is_active"]
