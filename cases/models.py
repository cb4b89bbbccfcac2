"""Cases of child deaths and the code lists a notification uses (domain.md §4–§5)."""

from django.db import models
from simple_history.models import HistoricalRecords


class Sex(models.Model):
    code = models.SlugField(max_length=20, primary_key=True)
    label = models.CharField(max_length=50)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order"]
        verbose_name_plural = "sexes"

    def __str__(self) -> str:
        return self.label


class EthnicGroup(models.TextChoices):
    """The five census groups of the annual report, plus not stated."""

    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, African, Caribbean or Black British"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated or not known"


class EthnicCategory(models.Model):
    """NHS Data Dictionary ethnic category code (A–S, Z, 99)."""

    code = models.CharField(max_length=2, primary_key=True)
    label = models.CharField(max_length=100)
    group = models.CharField(max_length=20, choices=EthnicGroup.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order"]
        verbose_name_plural = "ethnic categories"

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class PlaceOfDeath(models.Model):
    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    # Statistics group the five hospital places together as "acute hospital".
    report_group = models.SlugField(max_length=40)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order"]
        verbose_name_plural = "places of death"

    def __str__(self) -> str:
        return self.label
