from django.contrib import admin

from core.admin import ReferenceDataAdmin
from rapid_response.models import RapidResponseCriterion


@admin.register(RapidResponseCriterion)
class RapidResponseCriterionAdmin(ReferenceDataAdmin):
    list_display = ["code", "label"]
    fields = ["code", "label", "sort_order"]
