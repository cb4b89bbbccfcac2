from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time each periodic job ran: the health page shows whether beat is alive.

    Operational state only, not case data, so it keeps no history.
    """

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M}"


def last_heartbeat() -> Heartbeat | None:
    return Heartbeat.objects.filter(name="beat").first()


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"


class AccessEvent(models.Model):
    """Who looked at which case data, when and from where: append-only.

    Written by every view that shows case data and by every export. The database refuses
    UPDATE and DELETE on this table (a trigger, see the migration), so the application cannot
    rewrite it either. Roles and agencies are copied as text, as they were at the time.

    It keeps what was looked at, never what was searched for: the path without its query string,
    and in `detail` only the kind of search and the filters used ("search by NHS number"),
    because a search term is itself a child's name or NHS number. Each record a list or export
    showed is a row of `AccessEventObject`, so a case's "who has viewed this case" finds them.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="access_events"
    )
    roles = models.CharField(max_length=500, blank=True)
    agencies = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    object_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True, help_text="Blank for lists")
    detail = models.CharField(max_length=200, blank=True, help_text="Kind of search, filters")
    row_count = models.PositiveIntegerField(null=True, blank=True, help_text="Rows a list showed")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="access_object_idx"),
            models.Index(fields=["user", "at"], name="access_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.object_type.model} {self.object_id} at {self.at}"


class AccessEventObject(models.Model):
    """One record that a list or export showed (append-only, like its event)."""

    event = models.ForeignKey(AccessEvent, on_delete=models.PROTECT, related_name="objects_shown")
    object_id = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"{self.event_id}: {self.object_id}"


class OutboxStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEmail(models.Model):
    """An email to send, written in the same transaction as the change that causes it.

    A Celery task queued on commit sends it; a periodic sweep sends whatever is still waiting
    (Redis or SMTP was down, a worker died mid-send). The unique `key` names the one message a
    change causes, so it cannot be queued twice; the row is locked while it is sent and marked
    sent in the same transaction, so it is sent once. Only a worker killed between the mail
    server's acceptance and the commit can send it again, with the same Message-ID.
    Emails carry links, never a child's details.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.SlugField(max_length=50)
    panel = models.ForeignKey(
        "panels.Panel", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(max_length=30, blank=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["panel", "created_at"], name="outbox_panel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
