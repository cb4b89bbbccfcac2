from django.contrib import admin

from core.admin import ReferenceDataAdmin
from panels import services
from panels.models import Area, CategoryOfDeath, Factor, FactorFollowUp, Panel, Ward


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    fields = ["name"]
    can_delete = False  # cases refer to their area; an area is renamed, never removed


@admin.register(Panel)
class PanelAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "form_due_working_days"]
    fields = ["code", "name", "form_due_working_days"]
    inlines = [AreaInline]

    def get_readonly_fields(self, request, obj=None):
        # The code names the panel in case numbers and public links: fixed once it exists.
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.panel_update(
                panel=obj,
                name=obj.name,
                form_due_working_days=obj.form_due_working_days,
                by=request.user,
            )
        else:
            panel = services.panel_setup(
                code=obj.code, name=obj.name, areas=[], by=request.user
            ).panel
            services.panel_update(
                panel=panel,
                name=panel.name,
                form_due_working_days=obj.form_due_working_days,
                by=request.user,
            )
            obj.pk = panel.pk

    def save_formset(self, request, form, formset, change) -> None:
        # The admin's change message reads these lists, which formset.save() would have filled.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for area_form in formset.forms:
            if not area_form.has_changed() or not area_form.cleaned_data:
                continue
            area = area_form.instance
            if area.pk:
                area = services.area_rename(area=area, name=area.name, by=request.user)
                formset.changed_objects.append((area, area_form.changed_data))
            else:
                area = services.area_add(panel=form.instance, name=area.name, by=request.user)
                formset.new_objects.append(area)


@admin.register(Ward)
class WardAdmin(ReferenceDataAdmin):
    list_display = ["name", "area"]
    list_filter = ["area__panel", "area"]
    fields = ["area", "name"]

    def save_model(self, request, obj, form, change) -> None:
        services.ward_save(ward=obj, by=request.user)


@admin.register(CategoryOfDeath)
class CategoryOfDeathAdmin(ReferenceDataAdmin):
    list_display = ["number", "label"]
    fields = ["number", "label"]


@admin.register(Factor)
class FactorAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "domain", "is_active"]
    list_filter = ["domain", "is_active"]
    fields = ["code", "label", "domain", "needs_description", "is_active", "sort_order"]


@admin.register(FactorFollowUp)
class FactorFollowUpAdmin(ReferenceDataAdmin):
    list_display = ["title", "factor", "recipient", "is_active"]
    list_filter = ["is_active"]
    fields = ["factor", "title", "sender", "recipient", "letter", "is_active"]
