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


class EpisodeStatus(models.TextChoices):
    # The response is under way: its stages and actions are recorded as they happen.
    OPEN = "open", "Open"
    # The final case discussion is held and the outcome written: read-only but for actions.
    CLOSED = "closed", "Closed"


class RapidResponseEpisode(models.Model):
    """The joint agency response to one unexpected death: beside the case, not a state of it.

    Who may see it is its team as it is now (`TeamMember` rows naming users) and the
    administrators of the case's panel; removing someone from the team ends their access on
    their next request."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="rapid_response_episode"
    )
    criteria = models.ManyToManyField(RapidResponseCriterion, related_name="+")
    started_at = models.DateTimeField(help_text="When the response started")
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    summary = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="For the case timeline and the panel")
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "pk"]

    def __str__(self) -> str:
        return f"Rapid response for case {self.case_id}"


class TeamRole(models.TextChoices):
    LEAD_HEALTH = "lead_health", "Lead health professional"
    POLICE = "police", "Police investigator"
    SOCIAL_WORKER = "social_worker", "Duty social worker"
    OTHER = "other", "Other professional"


class TeamMember(models.Model):
    """One person on the episode's team: a user of the service (who then sees the episode),
    or a named outside person with their role and contact (who sees nothing here)."""

    episode = models.ForeignKey(RapidResponseEpisode, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True, help_text="An outside person")
    organisation = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True, help_text="Phone or email")

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "user"],
                condition=models.Q(user__isnull=False),
                name="a_user_is_on_a_team_once",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(name=""),
                name="a_team_member_is_a_user_or_named",
            ),
        ]
        indexes = [models.Index(fields=["user", "episode"], name="team_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on episode {self.episode_id}"


class StageKind(models.TextChoices):
    """The stages of a joint agency response (domain.md §2.3), in their usual order."""

    PLANNING = "planning", "Information-sharing and planning discussion"
    VISIT = "visit", "Home or scene visit"
    SAFEGUARDING = "safeguarding", "Safeguarding of siblings and other children"
    FAMILY_SUPPORT = "family_support", "Family support"
    FINAL_DISCUSSION = "final_discussion", "Final case discussion"


class EpisodeStage(models.Model):
    """What happened at one stage: when, who was there, notes and decisions."""

    episode = models.ForeignKey(
        RapidResponseEpisode, on_delete=models.CASCADE, related_name="stages"
    )
    kind = models.CharField(max_length=20, choices=StageKind.choices)
    held_at = models.DateTimeField()
    attendees = models.TextField()
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "held_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="one_record_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of episode {self.episode_id}"


class EpisodeAction(models.Model):
    """Something someone agreed to do, by a date; listed on the episode, the case and the
    owner's home page."""

    episode = models.ForeignKey(
        RapidResponseEpisode, on_delete=models.CASCADE, related_name="actions"
    )
    stage = models.CharField(max_length=20, choices=StageKind.choices, blank=True)
    description = models.CharField(max_length=500)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="action_owner_idx")]

    def __str__(self) -> str:
        return self.description


class PlanningMissed(models.Model):
    """The planning discussion of an unexpected death was not held by its due date: claimed
    once per case by the `rapid_response_clock` job, with the administrators' emails."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    flagged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Planning missed for case {self.case_id}"
