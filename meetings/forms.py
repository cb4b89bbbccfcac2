from django import forms

from core.forms import GovUKDateField, WhenForm
from meetings.models import Attendance, Invitation
from panels.models import (
    ActionLevel,
    Analysis,
    CategoryOfDeath,
    Factor,
    FactorDomain,
    ModifiableDecision,
    Panel,
)


class MeetingForm(WhenForm):
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        min_value=30,
        max_value=600,
        initial=180,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={"required": "Enter how long the meeting is"},
    )
    place = forms.CharField(
        label="Where",
        help_text="A room and building, or leave it for a link",
        max_length=200,
        required=False,
    )
    link = forms.URLField(
        label="Link to join online",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a link starting https://"},
    )
    field_order = ["panel", "on", "at", "duration_minutes", "place", "link"]

    def __init__(self, *args, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "Date of the meeting"
        self.fields["at"].label = "Start time"
        if panels:  # a new meeting: of which panel (chosen only when there are several)
            self.fields["panel"] = forms.ModelChoiceField(
                queryset=Panel.objects.filter(pk__in=[p.pk for p in panels]),
                initial=panels[0].pk,
                label="Panel",
                widget=forms.Select if len(panels) > 1 else forms.HiddenInput,
                empty_label=None,
            )
            self.order_fields(self.field_order)


class PapersForm(WhenForm):
    """When members may start reading the papers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "Date the papers open to members"
        self.fields["at"].label = "Time they open"


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Who to invite",
        error_messages={"required": "Select who to invite"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda u: u.full_name or u.email


class AgendaAddForm(forms.Form):
    case = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That case is no longer ready for panel"},
    )
    minutes = forms.IntegerField(min_value=5, max_value=240, initial=20)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases


class MinutesForm(forms.Form):
    minutes = forms.IntegerField(
        label="Minutes for this case",
        min_value=5,
        max_value=240,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the minutes"},
    )


class AttendanceForm(forms.Form):
    """One radio group per invitation."""

    def __init__(self, *args, invitations: list[Invitation], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [c for c in Attendance.choices if c[0] != Attendance.NOT_RECORDED]
        for invitation in invitations:
            self.fields[f"attendance_{invitation.pk}"] = forms.ChoiceField(
                label=invitation.user.full_name or invitation.user.email,
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                required=False,
                initial=invitation.attendance
                if invitation.attendance != Attendance.NOT_RECORDED
                else None,
            )

    def attendance(self) -> dict[int, str]:
        return {
            int(name.removeprefix("attendance_")): value
            for name, value in self.cleaned_data.items()
            if value
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )


class DeclarationForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=None, label="Who declares an interest", empty_label="Choose a person"
    )
    note = forms.CharField(
        label="What is the interest?",
        max_length=300,
        error_messages={"required": "Say what the interest is"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: u.full_name or u.email


ACTION_ROWS_EMPTY = 2  # blank action rows offered under those recorded


class AnalysisForm(forms.Form):
    """The panel's analysis of one case (domain.md §4 "Analysis"), saved as it stands at
    every step: closing the case is what needs it complete."""

    summary = forms.CharField(
        label="Case summary", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    primary_category = forms.ModelChoiceField(
        queryset=CategoryOfDeath.objects.all(),
        widget=forms.RadioSelect,
        label="Primary category of death",
        required=False,
        empty_label=None,
    )
    contributing_categories = forms.ModelMultipleChoiceField(
        queryset=CategoryOfDeath.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Contributing categories (optional)",
        required=False,
    )
    modifiable = forms.ChoiceField(
        choices=ModifiableDecision.choices,
        widget=forms.RadioSelect,
        label="Were modifiable factors identified?",
        required=False,
    )
    learning = forms.CharField(
        label="Learning points", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    process_issues = forms.CharField(
        label="Issues in the review process (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, analysis: Analysis | None, factors: list[Factor], **kwargs):
        initial = {}
        recorded, actions = {}, []
        if analysis is not None:
            initial = {
                "summary": analysis.summary,
                "primary_category": analysis.primary_category_id,
                "contributing_categories": [c.pk for c in analysis.contributing_categories.all()],
                "modifiable": analysis.modifiable,
                "learning": analysis.learning,
                "process_issues": analysis.process_issues,
            }
            recorded = {f.factor_id: f for f in analysis.factors.all()}
            actions = list(analysis.actions.order_by("pk"))
        super().__init__(*args, initial=initial, **kwargs)
        self.factor_rows = []
        for factor in factors:
            was = recorded.get(factor.pk)
            prefix = f"factor_{factor.code}"
            names = {
                "recorded": f"{prefix}_recorded",
                "contributed": f"{prefix}_contributed",
                "modifiable": f"{prefix}_modifiable",
            }
            self.fields[names["recorded"]] = forms.BooleanField(
                label="Identified", required=False, initial=was is not None
            )
            self.fields[names["contributed"]] = forms.BooleanField(
                label="Contributed", required=False, initial=bool(was and was.contributed)
            )
            self.fields[names["modifiable"]] = forms.BooleanField(
                label="Modifiable", required=False, initial=bool(was and was.modifiable)
            )
            if not factor.domain:
                names["domain"] = f"{prefix}_domain"
                self.fields[names["domain"]] = forms.ChoiceField(
                    label="Domain",
                    choices=[("", "Choose a domain"), *FactorDomain.choices],
                    required=False,
                    initial=was.domain if was else "",
                )
            if factor.needs_description:
                names["description"] = f"{prefix}_description"
                self.fields[names["description"]] = forms.CharField(
                    label="Describe it",
                    required=False,
                    max_length=2000,
                    initial=was.description if was else "",
                )
            self.factor_rows.append((factor, names))
        self.action_rows = []
        for n, action in enumerate([*actions, *([None] * ACTION_ROWS_EMPTY)]):
            prefix = f"action_{n}"
            self.fields[f"{prefix}_description"] = forms.CharField(
                label="Action",
                required=False,
                max_length=2000,
                initial=action.description if action else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{prefix}_owner"] = forms.CharField(
                label="Owner",
                required=False,
                max_length=200,
                initial=action.owner if action else "",
            )
            self.fields[f"{prefix}_due_date"] = GovUKDateField(
                label="Due date", required=False, initial=action.due_date if action else None
            )
            self.fields[f"{prefix}_level"] = forms.ChoiceField(
                label="Level",
                choices=ActionLevel.choices,
                required=False,
                initial=action.level if action else ActionLevel.LOCAL,
            )
            self.action_rows.append(prefix)

    @property
    def factor_groups(self) -> list[tuple]:
        """Each catalogue factor with its fields, for the template."""
        return [
            (factor, [self[name] for name in names.values()]) for factor, names in self.factor_rows
        ]

    @property
    def action_groups(self) -> list[list]:
        suffixes = ("description", "owner", "due_date", "level")
        return [[self[f"{prefix}_{suffix}"] for suffix in suffixes] for prefix in self.action_rows]

    def factor_records(self) -> list[dict]:
        """The factors recorded, as the analysis service takes them."""
        records = []
        for factor, names in self.factor_rows:
            data = self.cleaned_data
            if not (
                data[names["recorded"]] or data[names["contributed"]] or data[names["modifiable"]]
            ):
                continue
            records.append(
                {
                    "factor": factor,
                    "domain": data.get(names.get("domain", ""), "") or factor.domain,
                    "contributed": data[names["contributed"]],
                    "modifiable": data[names["modifiable"]],
                    "description": data.get(names.get("description", ""), "") or "",
                }
            )
        return records

    def action_records(self) -> list[dict]:
        actions = []
        for prefix in self.action_rows:
            data = self.cleaned_data
            description = data[f"{prefix}_description"].strip()
            owner = data[f"{prefix}_owner"].strip()
            due = data[f"{prefix}_due_date"]
            if not (description or owner or due):
                continue
            actions.append(
                {
                    "description": description,
                    "owner": owner,
                    "due_date": due,
                    "level": data[f"{prefix}_level"] or ActionLevel.LOCAL,
                }
            )
        return actions


class RedactionForm(forms.Form):
    """One text box per narrative answer, starting from the redaction so far (or the
    agency's words, to edit down)."""

    def __init__(self, *args, narratives, **kwargs):
        super().__init__(*args, **kwargs)
        for narrative in narratives:
            self.fields[narrative.key] = forms.CharField(
                label=narrative.question,
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=narrative.redacted
                if narrative.redacted is not None
                else narrative.original,
                help_text="As the papers show it: remove names, places and anything else that "
                "identifies a person. Leave it empty to keep it out of the papers.",
            )


class DigestNewForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, initial="CDOP information sheet")
    start = GovUKDateField(label="Cases closed from", help_text="For example, 1 4 2026")
    end = GovUKDateField(
        label="Cases closed up to and including", help_text="For example, 30 9 2026"
    )

    def __init__(self, *args, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if panels and len(panels) > 1:
            self.fields["panel"] = forms.ModelChoiceField(
                queryset=Panel.objects.filter(pk__in=[p.pk for p in panels]), label="Panel"
            )


class DigestEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="The sheet",
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="Paragraphs separated by a blank line; a line starting ## is a heading. "
        "Keep it free of names, dates and places that identify a child.",
    )
