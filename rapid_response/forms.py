from django import forms

from core.forms import GovUKDateField, WhenForm
from rapid_response.models import RapidResponseCriterion, StageKind, TeamRole


class EpisodeOpenForm(WhenForm):
    criteria = forms.ModelMultipleChoiceField(
        queryset=RapidResponseCriterion.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Why is a rapid response needed?",
        help_text="Select all that apply",
        error_messages={"required": "Select why a rapid response is needed"},
    )
    summary = forms.CharField(
        label="What is known so far (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    field_order = ["criteria", "on", "at", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "Date the response started"
        self.fields["at"].label = "Time the response started"


class TeamMemberForm(forms.Form):
    role = forms.ChoiceField(
        choices=TeamRole.choices,
        widget=forms.RadioSelect,
        label="Role on the team",
        error_messages={"required": "Select their role"},
    )
    user = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="A user of this service",
        empty_label="Someone outside the service",
    )
    name = forms.CharField(label="Or their name", max_length=150, required=False)
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    contact = forms.CharField(label="Phone or email", max_length=200, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip():
            self.add_error("name", "Choose a user of the service or enter their name")
        return cleaned


STAGE_LABELS = {
    StageKind.SAFEGUARDING: ("What was checked", "Referrals made"),
    StageKind.FAMILY_SUPPORT: ("Support offered to the family", "What was agreed"),
}


class StageForm(WhenForm):
    attendees = forms.CharField(
        label="Who took part",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter who took part"},
    )
    notes = forms.CharField(
        label="Notes", widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, required=False
    )
    decisions = forms.CharField(
        label="Decisions",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "Date it was held"
        self.fields["at"].label = "Time it was held"
        notes, decisions = STAGE_LABELS.get(kind, ("Notes", "Decisions"))
        self.fields["notes"].label, self.fields["decisions"].label = notes, decisions


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What needs doing",
        max_length=500,
        error_messages={"required": "Enter what needs doing"},
    )
    owner = forms.ModelChoiceField(
        queryset=None, label="Who will do it", error_messages={"required": "Choose who will do it"}
    )
    due_on = GovUKDateField(
        label="By when",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter when it is due"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"
        self.fields["owner"].empty_label = "Choose one"


class EpisodeCloseForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome of the response",
        help_text="It goes on the case's timeline and, later, into the panel papers",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter the outcome of the response"},
    )
