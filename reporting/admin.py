from django.contrib import admin

from core.admin import ReferenceDataAdmin
from reporting.models import AreaPopulation, NationalFigure


@admin.register(NationalFigure)
class NationalFigureAdmin(ReferenceDataAdmin):
    list_display = ["year", "table", "category", "percent"]
    list_filter = ["year", "table"]
    fields = ["year", "table", "category", "percent", "source"]


@admin.register(AreaPopulation)
class AreaPopulationAdmin(ReferenceDataAdmin):
    list_display = ["area", "ethnic_group", "count"]
    list_filter = ["area"]
    fields = ["area", "ethnic_group", "count", "source"]
