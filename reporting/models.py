"""Reference figures the annual statistics compare against (domain.md §6)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import EthnicGroup


class NationalFigure(models.Model):
    """A national percentage for one table cell and financial year, entered by the administrator.

    `table` and `category` use the identifiers of the tidy CSV (interfaces.md), so a national
    figure sits beside exactly the local cell it compares with.
    """

    year = models.PositiveSmallIntegerField(
        help_text="First year of the financial year: 2016 is 2016-17."
    )
    table = models.SlugField(max_length=60)
    category = models.CharField(max_length=60)
    percent = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "table", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "table", "category"], name="unique_national_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.table} {self.category}: {self.percent}%"


class AreaPopulation(models.Model):
    """An area's 0–17 population by ethnic group, for the ethnicity table's comparison."""

    area = models.ForeignKey("panels.Area", on_delete=models.CASCADE, related_name="populations")
    ethnic_group = models.CharField(
        max_length=20, choices=[("all", "All groups"), *EthnicGroup.choices]
    )
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "ethnic_group"]
        constraints = [
            models.UniqueConstraint(fields=["area", "ethnic_group"], name="unique_area_population")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.ethnic_group} {self.count}"


class NationalExport(models.Model):
    """A closed case's national data set record, exported (reporting.national): when, and by
    whom. Append-only: each export is a row of its own."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="national_exports"
    )
    exported_at = models.DateTimeField(auto_now_add=True)
    exported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-exported_at", "-pk"]
        indexes = [models.Index(fields=["case", "-exported_at"], name="national_export_case_idx")]

    def __str__(self) -> str:
        return f"{self.case} exported {self.exported_at:%Y-%m-%d %H:%M}"
