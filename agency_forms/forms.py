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

    def __init__(self, *args, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = panel.agencies.filter(is_active=True).order_by("name")


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
