from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import EthnicCategory, PlaceOfDeath, Sex


@admin.register(Sex)
class SexAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label"]
    fields = ["code", "label", "sort_order"]


@admin.register(EthnicCategory)
class EthnicCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "group"]
    list_filter = ["group"]
    fields = ["code", "label", "group", "sort_order"]


@admin.register(PlaceOfDeath)
class PlaceOfDeathAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "report_group"]
    fields = ["code", "label", "report_group", "sort_order"]
