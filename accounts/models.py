"""People and organisations: users sign in by email; roles come from memberships.

A user may hold several roles at once (domain.md §1): panel roles through `PanelMembership`,
agency roles through `AgencyMembership`. The system administrator (`is_staff`) manages users,
agencies and reference data, not case content.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AgencyType(models.TextChoices):
    POLICE = "police", "Police force"
    ACUTE_TRUST = "acute_trust", "Acute NHS trust"
    COMMUNITY_TRUST = "community_trust", "Community NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    AMBULANCE = "ambulance", "Ambulance service"
    SOCIAL_CARE = "social_care", "Children's social care"
    EDUCATION = "education", "School or nursery"
    HOSPICE = "hospice", "Hospice"
    CORONER = "coroner", "Coroner's office"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    PUBLIC_HEALTH = "public_health", "Public health"
    OTHER = "other", "Other"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    agency_type = models.CharField(max_length=30, choices=AgencyType.choices)
    email = models.EmailField(blank=True, help_text="Shared inbox for requests to the agency.")
    panels = models.ManyToManyField("panels.Panel", related_name="agencies", blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords(m2m_fields=[panels])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class PanelRole(models.TextChoices):
    # Order matters: it is the order roles are listed in on the home page and sign-in notes.
    ADMINISTRATOR = "administrator", "CDOP administrator"
    CHAIR = "chair", "Panel chair"
    MEMBER = "member", "Panel member"
    MANAGER = "manager", "Manager or analyst"


class PanelMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="panel_memberships")
    panel = models.ForeignKey("panels.Panel", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=PanelRole.choices)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "panel", "role"], name="unique_panel_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.panel}"


class AgencyRole(models.TextChoices):
    USER = "user", "Agency user"
    LEAD = "lead", "Agency lead"


class AgencyMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agency_memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=AgencyRole.choices, default=AgencyRole.USER)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="unique_agency_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"
