"""Panels, the areas and wards they cover, and the code lists their analyses use."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

panel_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,12}$", "A panel code is 2 to 12 capital letters or digits."
)


class Panel(models.Model):
    code = models.CharField(max_length=12, unique=True, validators=[panel_code_validator])
    name = models.CharField(max_length=200)
    form_due_working_days = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Working days an agency has to return a reporting form.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Area(models.Model):
    """A local authority area within the panel's footprint."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["panel", "name"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "name"], name="unique_area_name_per_panel")
        ]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unique_ward_name_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area})"


class CategoryOfDeath(models.Model):
    """Primary category of death, 1–10 (domain.md §5); statistics store the number."""

    number = models.PositiveSmallIntegerField(
        primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    label = models.CharField(max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "categories of death"

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class FactorDomain(models.TextChoices):
    CHILD = "A", "A: Factors intrinsic to the child"
    SOCIAL = "B", "B: Social environment, including family and parenting capacity"
    PHYSICAL = "C", "C: Physical environment"
    SERVICE = "D", "D: Service provision"


class Factor(models.Model):
    """The catalogue of factors a panel may record; the system administrator extends it."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150)
    domain = models.CharField(
        max_length=1,
        choices=FactorDomain.choices,
        blank=True,
        help_text="Blank when the factor may be recorded in any domain.",
    )
    needs_description = models.BooleanField(
        default=False, help_text="The panel must describe the factor in words (for 'other')."
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label


class FactorFollowUp(models.Model):
    """What the panel does after closing a case with this factor recorded as modifiable (for
    example, where consanguinity is, it writes to the family's GP asking that genetic
    counselling be offered): the closure drafts the letter for the administrator to send."""

    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="follow_ups")
    title = models.CharField(max_length=150, help_text="For example, Genetic counselling")
    sender = models.CharField(
        max_length=150, default="CDOP administrator", help_text="Who sends the letter"
    )
    recipient = models.CharField(max_length=150, help_text="For example, The family's GP")
    letter = models.TextField(
        help_text="The letter's text. These are filled in: $case_number, $child_name, "
        "$date_of_birth, $gp_practice, $panel, $date."
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["factor", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.factor})"


class ModifiableDecision(models.TextChoices):
    YES = "yes", "Yes: modifiable factors identified"
    NO = "no", "No modifiable factors identified"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Insufficient information"


class Analysis(models.Model):
    """The panel's analysis of one case (domain.md §4 "Analysis"), recorded at a meeting or
    brought in with a historic case. Saved as it stands at every step; closing the case needs
    it complete."""

    # The review date is the case's closure date (`Case.closed_on`): one field, not two copies.
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="analysis")
    attendance = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    # Blank while the panel is still deciding: closing the case needs them (cases.services).
    primary_category = models.ForeignKey(
        CategoryOfDeath, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    contributing_categories = models.ManyToManyField(CategoryOfDeath, blank=True, related_name="+")
    modifiable = models.CharField(max_length=30, choices=ModifiableDecision.choices, blank=True)
    learning = models.TextField(blank=True)
    process_issues = models.TextField(blank=True, help_text="Issues in the review process itself.")

    history = HistoricalRecords(m2m_fields=[contributing_categories])

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.case}"


class AnalysisFactor(models.Model):
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="factors")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT)
    # Blank only for an imported "other" factor whose domain the old records did not say.
    domain = models.CharField(max_length=1, choices=FactorDomain.choices, blank=True)
    contributed = models.BooleanField(default=False)
    modifiable = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "factor", "domain"], name="unique_factor_per_analysis"
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor} ({self.domain})"


class ActionLevel(models.TextChoices):
    LOCAL = "local", "Local"
    REGIONAL = "regional", "Regional"
    NATIONAL = "national", "National"


class AnalysisAction(models.Model):
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=ActionLevel.choices, default=ActionLevel.LOCAL)
    done = models.BooleanField(default=False)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.description[:60]
