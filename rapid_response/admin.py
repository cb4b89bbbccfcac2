from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rapid_response.models import RapidResponseCriterion


@admin.register(RapidResponseCriterion)
class RapidResponseCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label"]
    fields = ["code", "label", "sort_order"]
