"""Rapid response (joint agency response) episodes run beside a case (domain.md §2.3)."""

from django.db import models
from simple_history.models import HistoricalRecords


class RapidResponseCriterion(models.Model):
    """Why a joint agency response is triggered; an episode records which applied."""

    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order"]
        verbose_name_plural = "rapid response criteria"

    def __str__(self) -> str:
        return self.label
