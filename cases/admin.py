from django.contrib import admin

from cases.models import EthnicCategory, PlaceOfDeath, Sex
from core.admin import ReferenceDataAdmin


@admin.register(Sex)
class SexAdmin(ReferenceDataAdmin):
    list_display = ["code", "label"]
    fields = ["code", "label", "sort_order"]


@admin.register(EthnicCategory)
class EthnicCategoryAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "group"]
    list_filter = ["group"]
    fields = ["code", "label", "group", "sort_order"]


@admin.register(PlaceOfDeath)
class PlaceOfDeathAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "report_group"]
    fields = ["code", "label", "report_group", "sort_order"]
