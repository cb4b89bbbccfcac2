"""Cases of child deaths and the code lists a notification uses (domain.md §4–§5)."""

from datetime import date

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.months import months_since


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


class DeathType(models.TextChoices):
    EXPECTED = "expected", "Expected"
    UNEXPECTED = "unexpected", "Unexpected"
    NOT_DETERMINED = "not_determined", "Not yet determined"


class NhsNumberAbsence(models.TextChoices):
    NON_RESIDENT = "non_resident", "Not resident in England"
    NOT_AVAILABLE = "not_available", "Not currently available"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class CaseState(models.TextChoices):
    """Where a case is in the review (domain.md §2, Decision — case states).

    notified → information_gathering → ready_for_panel → scheduled → closed; any open state may
    be paused (with a reason) and resumed to where it was; a scheduled case the panel defers
    goes back to ready_for_panel. Closed cases are read-only until re-opened with a reason.
    """

    NOTIFIED = "notified", "Notified"
    INFORMATION_GATHERING = "information_gathering", "Gathering information"
    READY_FOR_PANEL = "ready_for_panel", "Ready for panel"
    SCHEDULED = "scheduled", "Scheduled for panel"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class CaseNumberCounter(models.Model):
    """The last sequence number given in a panel and year, so a number is never reused."""

    panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel", "year"], name="unique_case_counter")
        ]

    def __str__(self) -> str:
        return f"{self.panel_id}/{self.year}: {self.last}"


HISTORY_UNINDEXED = [
    "panel",
    "number",
    "sex",
    "nhs_number",
    "ethnicity",
    "area",
    "ward",
    "place_of_death",
    "key_worker",
]


class Case(models.Model):
    """The review of one child's death. Child and death details are the case's own record,
    first copied from the notification and kept up to date by the administrator."""

    # No index of its own on the panel, or on a code list below: every index of the list leads
    # with the panel, and a code is rarely deleted (its PROTECT check may read the table).
    panel = models.ForeignKey(
        "panels.Panel", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    number = models.CharField(max_length=30, unique=True)  # <PANEL>-<YYYY>-<NNNN>
    legacy_reference = models.CharField(
        max_length=60, blank=True, help_text="The panel's own reference, for imported cases."
    )
    state = models.CharField(max_length=30, choices=CaseState.choices, default=CaseState.NOTIFIED)
    paused_from = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)

    # The child
    family_name = models.CharField(max_length=100, blank=True)
    given_names = models.CharField(max_length=150, blank=True)
    # Family and given names as the search compares them (cases.validators.search_text): set
    # with the names by the services, never typed.
    search_name = models.CharField(max_length=260, blank=True, editable=False)
    date_of_birth = models.DateField()
    sex = models.ForeignKey(Sex, on_delete=models.PROTECT, db_index=False)
    nhs_number = models.CharField(max_length=10, blank=True)  # indexed for equality (Meta)
    ethnicity = models.ForeignKey(
        EthnicCategory, on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    area = models.ForeignKey("panels.Area", on_delete=models.PROTECT, related_name="cases")
    ward = models.ForeignKey(
        "panels.Ward", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    gestation_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    # The death
    date_of_death = models.DateField()
    date_notified = models.DateField()
    place_of_death = models.ForeignKey(PlaceOfDeath, on_delete=models.PROTECT, db_index=False)
    death_type = models.CharField(max_length=20, choices=DeathType.choices)
    # Imported history's own record; a case handled here has its rapid response episode instead
    # (`rapid_response_episode`, the relation that app adds), and nothing copies one into the other.
    rapid_response_held = models.BooleanField(null=True, blank=True)

    key_worker = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    # When an import last wrote the case: any timeline event after it is work done in the
    # application, which a re-import never overwrites.
    last_imported_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The history is read by case (its id), by date and by who: no other column is indexed, so
    # writing a panel's history in bulk maintains few indexes.
    history = HistoricalRecords(no_db_index=HISTORY_UNINDEXED)

    class Meta:
        ordering = ["-date_notified", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "legacy_reference"],
                condition=~models.Q(legacy_reference=""),
                name="unique_legacy_reference_per_panel",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="case_death_not_before_birth",
            ),
        ]
        # One index per order the case list offers, each led by the panel (the access check
        # is "the panels the user administers"), so a page is read from the index in order.
        indexes = [
            # With the date of death, "at risk" is counted from the index alone.
            models.Index(
                fields=["panel", "state", "number", "date_of_death"], name="case_state_idx"
            ),
            models.Index(fields=["panel", "-date_notified", "-number"], name="case_notified_idx"),
            models.Index(fields=["panel", "date_of_death", "number"], name="case_died_idx"),
            models.Index(fields=["panel", "family_name", "number"], name="case_family_idx"),
            models.Index(fields=["panel", "number"], name="case_number_idx"),
            models.Index(fields=["nhs_number"], name="case_nhs_number_idx"),
            # The open cases alone (a small share of a panel's history): what the dashboard's
            # counts of outstanding requests and missed planning discussions join with.
            models.Index(
                fields=["panel", "id"],
                condition=~models.Q(state=CaseState.CLOSED),
                name="case_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def age_band_at_death(self) -> str:
        """The band of domain.md §5 (computed from the dates, never stored)."""
        days = (self.date_of_death - self.date_of_birth).days
        if days < 28:
            return "0–27 days"
        years = months_since(self.date_of_birth, self.date_of_death) // 12
        if years < 1:
            return "28–364 days"
        for low, high in ((1, 4), (5, 9), (10, 14)):
            if years <= high:
                return f"{low}–{high} years"
        return "15–17 years"

    def months_since_death(self, today: date) -> int:
        return months_since(self.date_of_death, today)

    @property
    def is_closed(self) -> bool:
        return self.state == CaseState.CLOSED


class CaseEventKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    IMPORTED = "imported", "Imported"
    STATE_CHANGED = "state_changed", "Stage changed"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    DEFERRED = "deferred", "Deferred by the panel"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Re-opened"
    NOTIFICATION_MERGED = "notification_merged", "Notification merged"
    DETAILS_CHANGED = "details_changed", "Details changed"
    PROCESS_RECORDED = "process_recorded", "Related process recorded"
    ANALYSIS_RECORDED = "analysis_recorded", "Analysis recorded"
    ANALYSIS_REMOVED = "analysis_removed", "Analysis removed"
    NOTIFICATION_SEPARATED = "notification_separated", "Notification separated"
    TRANSFER_OFFERED = "transfer_offered", "Offered to another panel"
    TRANSFER_WITHDRAWN = "transfer_withdrawn", "Transfer offer withdrawn"
    TRANSFER_DECLINED = "transfer_declined", "Transfer declined"
    TRANSFERRED = "transferred", "Transferred to another panel"
    RAPID_RESPONSE_OPENED = "rapid_response_opened", "Rapid response started"
    RAPID_RESPONSE_CLOSED = "rapid_response_closed", "Rapid response closed"


class CaseEvent(models.Model):
    """What happened to a case and who did it: the case page's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=CaseEventKind.choices)
    # Set when written; the import writes a whole history with one time (its stamp).
    at = models.DateTimeField(default=timezone.now, editable=False)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class CaseNoteKind(models.TextChoices):
    CALL = "call", "Phone call"
    LETTER = "letter", "Letter or email"
    MEETING = "meeting", "Meeting"
    DECISION = "decision", "Decision"
    OTHER = "other", "Other"


class CaseNote(models.Model):
    """A dated note on the case's timeline: a call, a letter, a decision. Its author may change
    it for an hour after writing it; then it is fixed (its history keeps every version)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=CaseNoteKind.choices)
    occurred_on = models.DateField()
    text = models.TextField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on} ({self.case})"


class RelatedProcessKind(models.TextChoices):
    INQUEST = "inquest", "Inquest"
    POLICE_INVESTIGATION = "police_investigation", "Police investigation"
    SAFEGUARDING_PRACTICE_REVIEW = "safeguarding_practice_review", "Safeguarding practice review"
    POST_MORTEM = "post_mortem", "Post-mortem"


class RelatedProcess(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="related_processes")
    kind = models.CharField(max_length=40, choices=RelatedProcessKind.choices)
    started_on = models.DateField(null=True, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "started_on"]
        verbose_name_plural = "related processes"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case})"


class NotificationSource(models.TextChoices):
    ADMINISTRATOR = "administrator", "Entered by the administrator"
    PUBLIC_FORM = "public_form", "Public notification form"
    IMPORT = "import", "Historic import"


class TriageStatus(models.TextChoices):
    """A notification waits in triage until it opens a case or joins one."""

    NEW = "new", "Waiting for triage"
    CASE_OPENED = "case_opened", "Case opened"
    MERGED = "merged", "Merged into an existing case"
    # A public submission the robot trap caught: kept for the administrator to look at, then
    # released to triage (a person after all) or discarded.
    HELD = "held", "Held for review"
    DISCARDED = "discarded", "Discarded"


class Notification(models.Model):
    """A death notification as it was received (domain.md §4 "Notification")."""

    panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20, unique=True)  # shown to a public notifier
    source = models.CharField(max_length=20, choices=NotificationSource.choices)
    triage_status = models.CharField(
        max_length=20, choices=TriageStatus.choices, default=TriageStatus.NEW
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    # Pairs the administrator has looked at and judged to be different children.
    distinct_from = models.ManyToManyField("self", blank=True, symmetrical=True)
    received_at = models.DateTimeField(auto_now_add=True)

    # Child
    family_name = models.CharField(max_length=100)
    given_names = models.CharField(max_length=150)
    other_names = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField()
    sex = models.ForeignKey(Sex, on_delete=models.PROTECT)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    nhs_number_absent_reason = models.CharField(
        max_length=20, choices=NhsNumberAbsence.choices, blank=True
    )
    ethnicity = models.ForeignKey(EthnicCategory, on_delete=models.PROTECT, null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey("panels.Area", on_delete=models.PROTECT, null=True, blank=True)
    ward = models.ForeignKey("panels.Ward", on_delete=models.PROTECT, null=True, blank=True)
    gp_practice = models.CharField(max_length=200, blank=True)

    # Death
    date_of_death = models.DateField()
    time_of_death = models.TimeField(null=True, blank=True)
    place_of_death = models.ForeignKey(PlaceOfDeath, on_delete=models.PROTECT)
    place_of_event = models.CharField(max_length=300, blank=True)
    death_type = models.CharField(max_length=20, choices=DeathType.choices)
    confirmed_by_designated_doctor = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    post_mortem_required = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    coroner_informed = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    known_causes = models.TextField(blank=True)
    circumstances = models.TextField(blank=True)

    # Household
    parental_responsibility = models.TextField(blank=True)
    other_children = models.TextField(blank=True)

    # Notifier
    notifier_name = models.CharField(max_length=150)
    notifier_role = models.CharField(max_length=150, blank=True)
    notifier_organisation = models.CharField(max_length=200)
    notifier_email = models.EmailField(blank=True)
    notifier_phone = models.CharField(max_length=30, blank=True)
    notified_on = models.DateField()
    # The panel's agencies known to be involved (their ids: offered first when the case asks
    # for reporting forms), and in words any others.
    involved_agencies = models.JSONField(default=list, blank=True)
    agencies_involved = models.TextField(blank=True)

    history = HistoricalRecords(m2m_fields=[distinct_from])

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["family_name", "date_of_birth", "date_of_death"],
                name="notification_duplicate_idx",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class NotificationEventKind(models.TextChoices):
    RECEIVED = "received", "Received"
    HELD = "held", "Held for review: the robot trap was filled in"
    RELEASED = "released", "Released to triage"
    DISCARDED = "discarded", "Discarded"
    CHANGED = "changed", "Changed"
    CASE_OPENED = "case_opened", "Case opened"
    MERGED = "merged", "Merged into a case"
    MERGE_UNDONE = "merge_undone", "Merge undone"
    MARKED_DISTINCT = "marked_distinct", "Marked as a different child"
    DISTINCT_UNDONE = "distinct_undone", "Different-child decision undone"
    TRANSFER_OFFERED = "transfer_offered", "Offered to another panel"
    TRANSFER_WITHDRAWN = "transfer_withdrawn", "Transfer offer withdrawn"
    TRANSFER_DECLINED = "transfer_declined", "Transfer declined"
    TRANSFERRED = "transferred", "Transferred to another panel"


class NotificationEvent(models.Model):
    """What happened to a notification in triage and who did it: its page's timeline."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=NotificationEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.notification} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class TransferStatus(models.TextChoices):
    """An offer to hand a notification or case to another panel of the installation."""

    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Transfer(models.Model):
    """The child lived in another panel's footprint: its administrator offers the notification
    or case, the other panel's accepts (and the record, and access to it, moves) or declines."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="transfers"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="transfers"
    )
    from_panel = models.ForeignKey("panels.Panel", on_delete=models.PROTECT, related_name="+")
    to_panel = models.ForeignKey(
        "panels.Panel", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        max_length=10, choices=TransferStatus.choices, default=TransferStatus.OFFERED
    )
    reason = models.CharField(max_length=500)
    offered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notification__isnull=True) ^ models.Q(case__isnull=True),
                name="transfer_of_one_thing",
            ),
            models.UniqueConstraint(
                fields=["notification"],
                condition=models.Q(status="offered"),
                name="one_open_offer_per_notification",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="offered"),
                name="one_open_offer_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification or self.case} to {self.to_panel_id} ({self.status})"


class ExportStatus(models.TextChoices):
    # Asked for; a worker picks it up at once, or the minute's sweep if the queue was down.
    WAITING = "waiting", "Waiting to be written"
    # A worker is writing it; rows_written says how far it has gone.
    WRITING = "writing", "Being written"
    READY = "ready", "Ready to download"
    # The worker could not finish (the reason in `problem`), or the requester's access ended.
    FAILED = "failed", "Could not be written"
    # Its file was deleted when it expired: the row stays as the record of the request.
    EXPIRED = "expired", "Expired"


class CaseExport(models.Model):
    """A spreadsheet of the case list too large to write while the browser waits.

    A worker writes it from the case list's filters, with the requester's access as it is
    when it writes, and records each case it wrote under the request's access log event. The
    file is kept in the database in parts of a megabyte (`CaseExportPart`), so whichever web
    host the requester reaches can serve it, a part at a time, until it expires. Only the
    requester may download it, and only while they still administer every panel it covers
    (checked at each download)."""

    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    filters = models.JSONField(default=dict, help_text="The case list's filters, as asked")
    panel_ids = models.JSONField(default=list, help_text="The panels it may cover")
    access_event = models.ForeignKey("core.AccessEvent", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    file_bytes = models.PositiveBigIntegerField(default=0)
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="case_export_status_idx"),
            models.Index(fields=["requested_by", "requested_at"], name="case_export_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} by {self.requested_by_id} ({self.status})"


class CaseExportPart(models.Model):
    """A megabyte of a written spreadsheet: written and read one at a time, so neither the
    worker nor the web process holds a whole file however many cases it has."""

    export = models.ForeignKey(CaseExport, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["export", "number"]
        constraints = [
            models.UniqueConstraint(fields=["export", "number"], name="one_part_per_number")
        ]

    def __str__(self) -> str:
        return f"Part {self.number} of export {self.export_id}"


class ReviewTargetNotice(models.Model):
    """A 12-month review target notice sent for a case (at 6, 9 or 12 months since the death):
    claimed once, with its emails, by `cases.review_target`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="review_target_notices")
    months = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "months"]
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="one_notice_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.case} at {self.months} months"
