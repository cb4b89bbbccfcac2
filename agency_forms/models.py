"""Agencies' reporting forms (domain.md §2 step 4, §4 "Reporting form").

The questions are data: each form is a versioned definition, a file in
`agency_forms/definitions/` loaded into `FormDefinition` by `migrate`. A version once loaded
never changes, so an answer stored with the version it answered always renders as it was asked.
"""

from django.db import models
from django.db.models import F
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


class FormKind(models.TextChoices):
    CORE = "core", "Reporting form"
    NEONATAL = "neonatal", "Neonatal"
    SUDI = "sudi", "Sudden unexpected death in infancy (SUDI)"
    ROAD_TRAFFIC_COLLISION = "road_traffic_collision", "Road traffic collision"
    SUICIDE_SELF_HARM = "suicide_self_harm", "Suicide or self-harm"
    ASTHMA = "asthma", "Asthma"
    EPILEPSY = "epilepsy", "Epilepsy"
    DROWNING = "drowning", "Drowning"
    LIFE_LIMITING_CONDITION = "life_limiting_condition", "Life-limiting condition"


class FormDefinition(models.Model):
    """One version of one form's questions, as its file in the repository says."""

    kind = models.CharField(max_length=30, choices=FormKind.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    sections = models.JSONField()  # [{key, title, questions: [{key, text, type, ...}]}]
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file it was loaded from")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="one_definition_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, version {self.version}"

    def questions(self):
        """(section, question) for every question, in order."""
        for section in self.sections:
            for question in section["questions"]:
                yield section, question


class RequestStatus(models.TextChoices):
    # Sent to the agency; nobody there has saved an answer yet.
    REQUESTED = "requested", "Requested"
    # Someone at the agency has saved answers: a draft, still theirs to change.
    DRAFT = "draft", "Draft"
    # Submitted once: read-only to the agency.
    SUBMITTED = "submitted", "Submitted"
    # Sent back by the administrator for amendment, with a reason: the agency's to change again.
    RETURNED = "returned", "Returned for amendment"
    # Not needed after all (the agency had no involvement), with a reason.
    WAIVED = "waived", "Waived"
    # Asked by mistake, with a reason.
    CANCELLED = "cancelled", "Cancelled"


# A case may ask each agency for each form once at a time: a waived or cancelled request
# leaves room for a new one.
OPEN_STATUSES = [
    RequestStatus.REQUESTED,
    RequestStatus.DRAFT,
    RequestStatus.SUBMITTED,
    RequestStatus.RETURNED,
]


# Still the agency's to complete.
OUTSTANDING = [RequestStatus.REQUESTED, RequestStatus.DRAFT, RequestStatus.RETURNED]


class FormRequest(models.Model):
    """A reporting form (or a supplementary form) asked of one agency for one case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="form_requests")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=FormKind.choices)
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField()
    due_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True, help_text="Of the last waiver, etc.")
    # The answers, by question key, to the questions of `definition` (the version they
    # answered): {"key": {"answer": ..., "notes": ...}}. Written only by the agency's saves.
    answers = models.JSONField(default=dict, blank=True)
    # Each save of the answers adds one: a save made from an older version is refused, so two
    # people editing one draft cannot overwrite each other unseen.
    version = models.PositiveIntegerField(default=0)
    # An extension or a return for amendment starts a new ladder of reminders.
    ladder = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "agency__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency", "kind"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="one_open_request_per_agency_form_and_case",
            ),
        ]
        indexes = [
            # "My requests": an agency's requests by due date, read in order a page at a time.
            models.Index(fields=["agency", "due_on", "id"], name="form_request_agency_idx"),
            models.Index(
                fields=["agency", "due_on", "id"],
                condition=models.Q(status__in=OUTSTANDING),
                name="form_request_agency_out_idx",
            ),
            # The outstanding requests page and the chase: only those still with an agency,
            # with the case and agency, so the dashboard counts read the index alone.
            models.Index(
                fields=["due_on", "id", "case", "agency"],
                condition=models.Q(status__in=OUTSTANDING),
                name="form_request_outstanding_idx",
            ),
            # "Forms submitted in the last 14 days" on the administrator's home page.
            models.Index(
                F("submitted_at").desc(),
                condition=models.Q(status=RequestStatus.SUBMITTED),
                name="form_request_submitted_idx",
            ),
        ]
        permissions = [("complete_formrequest", "Complete this reporting form request")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency_id} for case {self.case_id}"

    @property
    def counts_for_readiness(self) -> bool:
        """A cancelled request was asked by mistake: the case does not wait for it."""
        return self.status != RequestStatus.CANCELLED

    @property
    def is_with_agency(self) -> bool:
        """Still the agency's to complete: it may be waived, extended or cancelled."""
        return self.status in OUTSTANDING


# The named person of a request: a django-guardian grant of `complete_formrequest` on that one
# request (direct foreign keys: the database removes it with the request). It counts only while
# the person is an active member of the request's agency (`agency_forms.permissions`).
class FormRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(FormRequest, on_delete=models.CASCADE)


class FormRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(FormRequest, on_delete=models.CASCADE)


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "reminder_before_due", "Due in 3 working days"
    DUE = "reminder_due", "Due today"
    OVERDUE = "reminder_overdue", "Overdue"


class FormReminder(models.Model):
    """One reminder of a request's ladder: claimed (inserted) in the same transaction as the
    decision to send it, so a second run, a second beat or a retried task finds it taken.

    Its number is its step on the ladder: 0 three working days before the due date, 1 on the
    due date, 2, 3, ... every 5 working days while overdue (overdue reminder n is n + 1)."""

    request = models.ForeignKey(FormRequest, on_delete=models.CASCADE, related_name="reminders")
    ladder = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="The request's due date when it was sent")
    sent_at = models.DateTimeField(auto_now_add=True)
    escalated = models.BooleanField(default=False)

    class Meta:
        ordering = ["request", "ladder", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "ladder", "number"], name="one_reminder_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.number} of request {self.request_id}"

    @property
    def kind(self) -> str:
        if self.number == 0:
            return ReminderKind.BEFORE_DUE.value
        if self.number == 1:
            return ReminderKind.DUE.value
        return f"{ReminderKind.OVERDUE.value}_{self.number - 1}"


class FormAttachment(models.Model):
    """A file the agency attached to its form (its own report, a post-mortem report).

    Kept in the database (outside any web root, in every backup, served by any web host) and
    given to a reader only through the access-checked, access-logged download view."""

    request = models.ForeignKey(FormRequest, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(max_length=150, help_text="Cleaned name, for the download")
    content_type = models.CharField(max_length=100, help_text="As found in the content")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name
