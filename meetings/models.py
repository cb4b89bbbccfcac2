"""Panel meetings: the agenda, who is invited and who came, declarations of interest, and the
outcome of each case (domain.md §2 steps 6-7). The panel's analysis itself is the case's
(`panels.Analysis`): a meeting is where it is recorded, not where it is kept.

The papers a member may read follow from these rows as they are now: the invitation, the
meeting's release time and its window (`meetings.permissions`).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class MeetingStatus(models.TextChoices):
    # Being prepared: the administrator invites members and builds the agenda.
    PLANNED = "planned", "Being prepared"
    # The chair has started it: attendance, declarations, then case by case.
    IN_PROGRESS = "in_progress", "In progress"
    # The chair has finished it: every case on the agenda has an outcome.
    HELD = "held", "Held"
    # Called off before it was held: its cases go back to ready for panel.
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=180)
    place = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True, help_text="For members who join online")
    # Members may read the papers from this time (unset: not yet released) until the window
    # after the meeting closes (`papers_close_at`).
    papers_from = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["panel", "starts_at"], name="meeting_panel_idx")]

    def __str__(self) -> str:
        return f"{self.panel.code} panel meeting, {self.starts_at:%d %b %Y}"

    @property
    def papers_close_at(self) -> datetime:
        """Members' access to the papers ends by itself this long after the meeting."""
        return self.starts_at + timedelta(days=settings.MEETING_PAPERS_DAYS_AFTER)

    @property
    def is_open_for_changes(self) -> bool:
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)


class Attendance(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class Invitation(models.Model):
    """A panel member (or the chair) invited to one meeting, and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.NOT_RECORDED
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_person")
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="invitation_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class Outcome(models.TextChoices):
    # On the agenda, not yet decided.
    PENDING = "pending", "To discuss"
    # The analysis is complete and the case closed.
    CLOSED = "closed", "Closed"
    # The panel put it off, with a reason: the case is ready for panel again.
    DEFERRED = "deferred", "Deferred"


class AgendaItem(models.Model):
    """One case on a meeting's agenda, in order, with the time it is given."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField(default=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=500, blank=True, help_text="Why it was deferred")
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="case_once_per_agenda"),
            # A case waits on one agenda at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(outcome="pending"),
                name="one_pending_agenda_item_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} at {self.meeting}"


class Declaration(models.Model):
    """A member's declared interest in one case: they do not see that case's papers."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="one_declaration_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.note}"


class Reveal(models.Model):
    """The chair saw one case's identifying details during its meeting, with a reason."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="reveals")
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "at"]

    def __str__(self) -> str:
        return f"Revealed to {self.by} at {self.at:%Y-%m-%d %H:%M}"


class Redaction(models.Model):
    """The administrator's redacted text of one narrative answer of a submitted form: what
    the papers show of it. The agency's own words stay in the form, for administrators."""

    request = models.ForeignKey(
        "agency_forms.FormRequest", on_delete=models.CASCADE, related_name="redactions"
    )
    question_key = models.CharField(max_length=60)
    text = models.TextField()
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "question_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "question_key"], name="one_redaction_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"Redacted {self.question_key} of request {self.request_id}"


class FollowUp(models.Model):
    """A follow-up a closure triggered (`panels.FactorFollowUp`): the drafted letter, for the
    administrator to send and mark sent. Once per case and follow-up."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="follow_ups")
    rule = models.ForeignKey("panels.FactorFollowUp", on_delete=models.PROTECT, related_name="+")
    letter = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_at", "-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "rule"], name="one_follow_up_per_case_and_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule.title} for {self.case}"


class LearningDigest(models.Model):
    """The panel's information sheet for frontline staff (the reference report's biannual "CDOP
    Information Sheet"): the learning and actions of the cases closed in a period, grouped by
    theme and pseudonymised, drafted from the analyses and edited by the administrator."""

    panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()
    body = models.TextField(help_text="Paragraphs separated by a blank line")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-end", "-pk"]

    def __str__(self) -> str:
        return self.title
