from django import forms

from core.forms import GovUKDateField


class PeriodForm(forms.Form):
    """Cases reviewed (closed) in a period."""

    start = GovUKDateField(label="Reviewed from", help_text="For example, 1 4 2026")
    end = GovUKDateField(label="Reviewed up to and including", help_text="For example, 31 3 2027")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end must be on or after the start")
        return data
