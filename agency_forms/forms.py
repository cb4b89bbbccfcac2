from django import forms

from agency_forms.models import FormKind


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
