from django import forms

from agency_forms.models import FormKind
from core.forms import GovUKDateField


class FormRequestForm(forms.Form):
    """Which agencies to ask, and which supplementary forms the circumstances call for."""

    agencies = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Which agencies should complete the reporting form?",
        help_text="Select all that apply",
        error_messages={"required": "Select at least one agency"},
    )
    supplementary = forms.MultipleChoiceField(
        choices=[(k, label) for k, label in FormKind.choices if k != FormKind.CORE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Supplementary forms (optional)",
        help_text="Asked of each agency chosen, alongside the reporting form",
    )

    named_person = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Send to a named person (optional)",
        help_text="Their agency's requests go to them alone; the others go to the whole agency",
        empty_label="Nobody in particular",
    )

    def __init__(self, *args, panel, involved: list[int] = (), **kwargs):
        """`involved`: the agencies the case's notifications name, offered first and chosen."""
        super().__init__(*args, **kwargs)
        serving = list(panel.agencies.filter(is_active=True).order_by("name"))
        serving.sort(key=lambda agency: agency.pk not in involved)  # stable: by name within
        agencies = self.fields["agencies"]
        agencies.queryset = panel.agencies.filter(is_active=True)
        agencies.choices = [
            (a.pk, f"{a.name} (named on the notification)" if a.pk in involved else a.name)
            for a in serving
        ]
        self.initial.setdefault("agencies", list(involved))
        from accounts.models import User

        self.fields["named_person"].queryset = (
            User.objects.filter(
                is_active=True, agency_memberships__agency__in=self.fields["agencies"].queryset
            )
            .distinct()
            .order_by("full_name", "pk")
        )
        self.fields["named_person"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


class FormRequestChangeForm(forms.Form):
    """The administrator's changes to a request still with the agency."""

    action = forms.ChoiceField(
        choices=[
            ("waive", "Waive it: the form is not needed (for example, no involvement)"),
            ("extend", "Give the agency more time"),
            ("cancel", "Cancel it: it was asked by mistake"),
        ],
        widget=forms.RadioSelect,
        label="What do you want to do?",
        error_messages={"required": "Select what you want to do"},
    )
    due_on = GovUKDateField(
        label="New due date",
        help_text="Only for more time. For example, 27 3 2027",
        required=False,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        label="Reason",
        help_text="Kept with the request's history",
        error_messages={"required": "Enter the reason"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "extend" and not cleaned.get("due_on"):
            self.add_error("due_on", "Enter the new due date")
        return cleaned


YES_NO_CHOICES = [
    ("yes", "Yes"),
    ("no", "No"),
    ("not_known", "Not known"),
    ("not_applicable", "Not applicable"),
]
NOTES = "__notes"


class SectionForm(forms.Form):
    """One section of a form, built from its definition: every answer optional (a draft may
    be half done; what submission needs is checked at submission)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, section: dict, answers: dict, prefill: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        for question in section["questions"]:
            key = question["key"]
            saved = answers.get(key) or {}
            self.fields[key] = _field_for(question)
            if saved:
                self.initial[key] = _initial(question, saved.get("answer", ""))
            elif question.get("prefill") and prefill.get(question["prefill"]) not in (None, ""):
                self.initial[key] = prefill[question["prefill"]]
            if question["type"] == "yes_no":
                self.fields[key + NOTES] = forms.CharField(
                    label="Details (optional)",
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=10000,
                    required=False,
                )
                self.initial[key + NOTES] = saved.get("notes", "")

    def answers(self) -> dict:
        """The cleaned answers by question key, in the shape the save service takes."""
        data = self.cleaned_data
        return {
            q["key"]: (data.get(q["key"], ""), data.get(q["key"] + NOTES, ""))
            if q["type"] == "yes_no"
            else data.get(q["key"])
            for q in self.section["questions"]
        }


def _field_for(question: dict) -> forms.Field:
    label, kind = question["text"], question["type"]
    if kind == "yes_no":
        return forms.ChoiceField(
            label=label, choices=YES_NO_CHOICES, widget=forms.RadioSelect, required=False
        )
    if kind == "choice":
        return forms.ChoiceField(
            label=label,
            choices=[(o["value"], o["label"]) for o in question["options"]],
            widget=forms.RadioSelect,
            required=False,
        )
    if kind == "date":
        return GovUKDateField(label=label, help_text="For example, 27 3 2024", required=False)
    if kind == "number":
        places = question.get("decimal_places", 0)
        bounds = {"min_value": question["min"], "max_value": question["max"]}
        help_text = f"In {question['unit']}"
        if places:
            return forms.DecimalField(
                label=label, decimal_places=places, help_text=help_text, required=False, **bounds
            )
        return forms.IntegerField(label=label, help_text=help_text, required=False, **bounds)
    if kind == "narrative":
        return forms.CharField(
            label=label, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, required=False
        )
    return forms.CharField(label=label, max_length=500, required=False)


def _initial(question: dict, answer: str):
    if question["type"] == "date" and answer:
        from datetime import date

        try:
            return date.fromisoformat(answer)
        except ValueError:
            return None
    return answer


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word (DOCX), PNG or JPEG file, smaller than 10 MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
        allow_empty_file=True,  # the service says so, in the same words as every other refusal
    )
    description = forms.CharField(
        label="What is it? (optional)",
        help_text="For example, our serious incident report or the post-mortem report",
        max_length=200,
        required=False,
    )


class ReturnForm(forms.Form):
    """The administrator sends a submitted form back for amendment."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=500,
        label="What needs to change?",
        help_text="The agency sees this with the form",
        error_messages={"required": "Enter what needs to change"},
    )
    due_on = GovUKDateField(
        label="New due date",
        help_text="For example, 27 3 2027",
        error_messages={"required": "Enter the new due date"},
    )


class ReassignForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=None,
        label="Who should complete this form?",
        empty_label="Anyone at the agency",
        required=False,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"
