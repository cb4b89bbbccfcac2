"""Forms for notifications and cases. Ownership (panel, source, case) is set by services."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from cases.models import Case, CaseNote, NhsNumberAbsence, Notification, RelatedProcess
from cases.validators import nhs_number_is_valid, normalise_nhs_number
from core.forms import GovUKDateField
from panels.models import Area, Panel, Ward

CHILD = [
    "family_name",
    "given_names",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "nhs_number_absent_reason",
    "ethnicity",
    "address",
    "postcode",
    "area",
    "ward",
    "gp_practice",
]
DEATH = [
    "date_of_death",
    "time_of_death",
    "place_of_death",
    "place_of_event",
    "death_type",
    "confirmed_by_designated_doctor",
    "post_mortem_required",
    "coroner_informed",
    "known_causes",
    "circumstances",
]
HOUSEHOLD = ["parental_responsibility", "other_children"]
NOTIFIER = [
    "notifier_name",
    "notifier_role",
    "notifier_organisation",
    "notifier_email",
    "notifier_phone",
    "notified_on",
    "involved_agencies",
    "agencies_involved",
]
TEXT_LIMIT = 5000  # characters in any one free-text answer

# The question pages, in order: (url slug, title, fields).
SECTION_PAGES = {
    "child": ("The child", CHILD),
    "death": ("The death", DEATH),
    "household": ("The household", HOUSEHOLD),
    "notifier": ("Who is notifying", NOTIFIER),
}


class NotificationForm(forms.ModelForm):
    date_of_birth = GovUKDateField(label="Date of birth", help_text="For example, 27 3 2019")
    date_of_death = GovUKDateField(label="Date of death", help_text="For example, 4 3 2024")
    notified_on = GovUKDateField(
        label="Date of notification", help_text="The day you are telling the panel"
    )

    # Typed with spaces as printed on NHS letters; stored as 10 digits.
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        required=False,
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )

    class Meta:
        model = Notification
        fields = [*CHILD, *DEATH, *HOUSEHOLD, *NOTIFIER]
        labels = {
            "family_name": "Family name",
            "given_names": "Given names",
            "other_names": "Other names the child was known by",
            "sex": "Sex",
            "nhs_number_absent_reason": "If there is no NHS number, why not?",
            "ethnicity": "Ethnicity",
            "address": "Home address",
            "area": "Area the child lived in",
            "ward": "Ward",
            "gp_practice": "GP practice",
            "time_of_death": "Time of death",
            "place_of_death": "Place of death",
            "place_of_event": "Where the fatal event happened, if somewhere else",
            "death_type": "Was the death expected?",
            "confirmed_by_designated_doctor": "Confirmed by the designated doctor?",
            "post_mortem_required": "Is a post-mortem required?",
            "coroner_informed": "Has the coroner been informed?",
            "known_causes": "Known causes of death (as on the death certificate)",
            "circumstances": "Summary of the circumstances",
            "parental_responsibility": "People with parental responsibility",
            "other_children": "Other children in the household",
            "notifier_name": "Your name",
            "notifier_role": "Your role",
            "notifier_organisation": "Your organisation",
            "notifier_email": "Your email address",
            "notifier_phone": "Your phone number",
            "involved_agencies": "Agencies known to be involved with the child or family",
            "agencies_involved": "Other agencies involved",
        }
        help_texts = {
            "time_of_death": "24-hour clock, for example 14:30",
            "other_children": "Names and ages, so that they can be kept safe",
            "agencies_involved": "Any not in the list above, for example a school or a charity",
        }
        widgets = {
            "sex": forms.RadioSelect,
            "nhs_number_absent_reason": forms.RadioSelect,
            "death_type": forms.RadioSelect,
            "confirmed_by_designated_doctor": forms.RadioSelect,
            "post_mortem_required": forms.RadioSelect,
            "coroner_informed": forms.RadioSelect,
            "time_of_death": forms.TimeInput(format="%H:%M"),
        }
        error_messages = {
            "family_name": {"required": "Enter the child's family name"},
            "given_names": {"required": "Enter the child's given names"},
            "sex": {"required": "Select the child's sex"},
            "place_of_death": {"required": "Select the place of death"},
            "death_type": {"required": "Select whether the death was expected"},
            "notifier_name": {"required": "Enter your name"},
            "notifier_organisation": {"required": "Enter your organisation"},
            "time_of_death": {"invalid": "Enter the time of death like 14:30"},
            "notifier_email": {"invalid": "Enter an email address like name@example.org"},
        }

    def __init__(
        self, *args, panel: Panel, section: str | None = None, others: dict | None = None, **kwargs
    ):
        """`section`: only that question page's fields; `others` holds the other pages'
        answers, so that rules across pages (dates, ward in area) are checked all the same."""
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.section = section
        self.others = others or {}
        self.fields["area"].queryset = panel.areas.all()
        if "involved_agencies" in self.fields:
            self.fields["involved_agencies"] = forms.ModelMultipleChoiceField(
                queryset=panel.agencies.filter(is_active=True).order_by("name"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=self.fields["involved_agencies"].label,
                help_text="Select all that apply",
            )
        self.fields["ward"].queryset = Ward.objects.filter(area__panel=panel).select_related("area")
        self.fields["ward"].label_from_instance = lambda w: f"{w.name} ({w.area.name})"
        self.fields["nhs_number_absent_reason"].choices = NhsNumberAbsence.choices
        # Free text is bounded, so that nobody can fill the database through the public page.
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
        # One of the two is needed (checked in clean), so neither is marked "(optional)".
        self.fields["nhs_number"].conditional = True
        self.fields["nhs_number_absent_reason"].conditional = True
        for name in ("sex", "place_of_death", "ethnicity", "area", "ward"):
            self.fields[name].empty_label = None if name == "sex" else "Choose one"
        for name in (
            "confirmed_by_designated_doctor",
            "post_mortem_required",
            "coroner_informed",
            "death_type",
        ):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        if section is not None:
            keep = set(SECTION_PAGES[section][1]) | (
                {"website"} if section == "notifier" else set()
            )
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]

    def _value(self, data: dict, name: str):
        return data.get(name) if name in self.fields else self.others.get(name)

    def _error(self, name: str, message: str) -> None:
        """An error on a question of another page is that page's to show."""
        if name in self.fields:
            self.add_error(name, message)

    def clean_involved_agencies(self) -> list[int]:
        return sorted(agency.pk for agency in self.cleaned_data.get("involved_agencies") or [])

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number") or "")
        if value and not nhs_number_is_valid(value):
            raise forms.ValidationError("Enter a real NHS number: 10 digits, like 943 476 5919")
        return value

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        value = lambda name: self._value(data, name)  # noqa: E731
        born, died, notified = value("date_of_birth"), value("date_of_death"), value("notified_on")
        for name, when in (
            ("date_of_birth", born),
            ("date_of_death", died),
            ("notified_on", notified),
        ):
            if when and when > today and name in self.fields:
                self._error(name, f"{self.fields[name].label} must be today or in the past")
        if born and died:
            if died < born:
                self._error("date_of_death", "Date of death must be on or after the date of birth")
            elif died >= born + relativedelta(years=18):
                self._error("date_of_death", "The child must have been under 18 when they died")
        if died and notified and notified < died:
            self._error("notified_on", "Date of notification must be on or after the date of death")
        if "nhs_number" in self.fields:
            has_number = bool(data.get("nhs_number"))
            reason = data.get("nhs_number_absent_reason")
            if not has_number and not reason and "nhs_number" not in self.errors:
                self.add_error("nhs_number", "Enter the NHS number, or say why there is none")
            if has_number and reason:
                self.add_error(
                    "nhs_number_absent_reason", "Leave this empty when you give an NHS number"
                )
        ward, area = value("ward"), value("area")
        if ward and area and ward.area_id != area.pk:
            self._error("ward", f"{ward.name} is not in {area.name}")
        return data


class PublicNotificationForm(NotificationForm):
    """For professionals without an account. A hidden field catches form-filling robots."""

    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # Who to call back: required of a notifier without an account.
    REQUIRED_OF_THE_PUBLIC = {
        "notifier_email": "Enter your email address",
        "notifier_phone": "Enter your phone number",
        "notifier_role": "Enter your role",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED_OF_THE_PUBLIC.items():
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class CaseDetailsForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["death_type", "area", "ward", "key_worker"]
        labels = {
            "death_type": "Was the death expected?",
            "area": "Area the child lived in",
            "ward": "Ward",
            "key_worker": "Key worker",
        }
        help_texts = {"key_worker": "The person the family can contact about the review"}
        widgets = {"death_type": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        panel = self.instance.panel
        self.fields["area"].queryset = panel.areas.all()
        self.fields["area"].empty_label = None
        self.fields["ward"].queryset = Ward.objects.filter(area__panel=panel).select_related("area")
        self.fields["ward"].label_from_instance = lambda w: f"{w.name} ({w.area.name})"
        self.fields["ward"].empty_label = "Not known"
        self.fields["key_worker"].queryset = User.objects.filter(
            is_active=True, panel_memberships__panel=panel
        ).distinct()
        self.fields["key_worker"].empty_label = "Not assigned"

    def clean(self):
        data = super().clean()
        ward, area = data.get("ward"), data.get("area")
        if ward and area and ward.area_id != area.pk:
            self.add_error("ward", f"{ward.name} is not in {area.name}")
        return data


class RelatedProcessForm(forms.ModelForm):
    started_on = GovUKDateField(label="Started on", required=False)
    concluded_on = GovUKDateField(label="Concluded on", required=False)

    class Meta:
        model = RelatedProcess
        fields = ["kind", "started_on", "concluded_on", "outcome"]
        labels = {"kind": "Process", "outcome": "Outcome"}
        widgets = {"kind": forms.RadioSelect}
        error_messages = {"kind": {"required": "Select the process"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0]]

    def clean(self):
        data = super().clean()
        started, concluded = data.get("started_on"), data.get("concluded_on")
        if started and concluded and concluded < started:
            self.add_error("concluded_on", "Concluded on must be on or after the start")
        return data


class CaseActionForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        error_messages={"max_length": "The reason must be 300 characters or fewer"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter a reason",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )


class TransferOfferForm(ReasonForm):
    to_panel = forms.ModelChoiceField(
        label="Panel to offer it to",
        queryset=Panel.objects.none(),
        empty_label="Choose a panel",
        error_messages={"required": "Choose the panel", "invalid_choice": "Choose the panel"},
    )
    field_order = ["to_panel", "reason"]

    def __init__(self, *args, from_panel: Panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_panel"].queryset = Panel.objects.exclude(pk=from_panel.pk)
        self.fields["reason"].label = "Why it belongs to that panel"
        self.fields["reason"].help_text = "For example, where the child lived. No other details."


class TransferAcceptForm(ReasonForm):
    area = forms.ModelChoiceField(
        label="Area the child lived in",
        queryset=Area.objects.none(),
        empty_label="Choose an area",
        error_messages={"required": "Choose the area", "invalid_choice": "Choose the area"},
    )
    field_order = ["area", "reason"]

    def __init__(self, *args, panel: Panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = panel.areas.all()
        if "involved_agencies" in self.fields:
            self.fields["involved_agencies"] = forms.ModelMultipleChoiceField(
                queryset=panel.agencies.filter(is_active=True).order_by("name"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=self.fields["involved_agencies"].label,
                help_text="Select all that apply",
            )


class CaseNoteForm(forms.ModelForm):
    occurred_on = GovUKDateField(label="Date", help_text="When the call, letter or decision was")

    class Meta:
        model = CaseNote
        fields = ["kind", "occurred_on", "text"]
        labels = {"kind": "What is it?", "text": "Note"}
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"kind": {"required": "Select what the note is about"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0]]
        self.fields["text"].max_length = 5000
        self.fields["text"].validators.append(MaxLengthValidator(5000))
        self.fields["text"].error_messages["required"] = "Enter the note"


@dataclass(frozen=True)
class AnswerSection:
    slug: str
    title: str
    rows: list[tuple[str, str]]  # (question, answer as shown)


def _shown(notification: Notification, name: str) -> str:
    from django.utils.formats import date_format

    from cases.templatetags.cases import nhs_number as format_nhs

    field = Notification._meta.get_field(name)
    if field.is_relation:
        # A code list's label, looked up with the notification (`notifications_of_case`) or
        # from the row it was read with.
        if getattr(notification, field.attname) is None:
            return "Not given"
        shown = getattr(notification, f"{name}_shown", None)
        return shown if shown is not None else str(getattr(notification, name))
    value = getattr(notification, name, None)
    if value in (None, "", []):
        return "Not given"
    if name == "involved_agencies":
        from accounts.models import Agency

        return ", ".join(
            Agency.objects.filter(pk__in=value).order_by("name").values_list("name", flat=True)
        )
    if field.choices:
        return str(getattr(notification, f"get_{name}_display")())
    if name == "nhs_number":
        return format_nhs(value)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)


def notification_answers(notification: Notification) -> list[AnswerSection]:
    """Every answer of the notification form, by question page, as the pages show them."""
    labels = NotificationForm.base_fields
    return [
        AnswerSection(
            slug,
            title,
            [(str(labels[name].label), _shown(notification, name)) for name in names],
        )
        for slug, (title, names) in SECTION_PAGES.items()
    ]


class CaseDateFilterForm(forms.Form):
    """The case list's date filters as GOV.UK date inputs (day, month, year)."""

    notified_from = GovUKDateField(label="Notified from", required=False)
    notified_to = GovUKDateField(label="Notified up to", required=False)
