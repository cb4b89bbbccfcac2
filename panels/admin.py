from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from panels.models import Area, CategoryOfDeath, Factor, Panel, Ward


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    fields = ["name"]


@admin.register(Panel)
class PanelAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "form_due_working_days"]
    fields = ["code", "name", "form_due_working_days"]
    inlines = [AreaInline]


@admin.register(Ward)
class WardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "area"]
    list_filter = ["area__panel", "area"]
    fields = ["area", "name"]


@admin.register(CategoryOfDeath)
class CategoryOfDeathAdmin(SimpleHistoryAdmin):
    list_display = ["number", "label"]
    fields = ["number", "label"]


@admin.register(Factor)
class FactorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "domain", "is_active"]
    list_filter = ["domain", "is_active"]
    fields = ["code", "label", "domain", "needs_description", "is_active", "sort_order"]
