"""GOV.UK Design System (GOV.UK Frontend 6) markup for Django forms, without third-party packages.

With FORM_RENDERER = "core.forms.GovUKFormRenderer" every form renders GOV.UK markup: `{{ form }}`
uses templates/govuk/forms/form.html, each field templates/govuk/forms/field.html, and Django's
own widgets (TextInput, Select, RadioSelect...) templates/govuk/widgets/. Pages show the error
summary with `{% include "includes/error_summary.html" with form=form %}`.

Hints and error messages keep Django's ids (`<id>_helptext`, `<id>_error`), so the
aria-describedby Django builds itself points at them.
"""

import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils import timezone

_INPUTS = ("text", "email", "number", "password", "url", "tel", "search", "hidden", "checkbox")
_INPUTS += ("date", "datetime", "time", "file")
GOVUK_WIDGET_TEMPLATES = {
    f"django/forms/widgets/{django_name}.html": f"govuk/widgets/{govuk_name}.html"
    for django_name, govuk_name in {
        **dict.fromkeys(_INPUTS, "input"),
        "select": "select",
        "textarea": "textarea",
        "radio": "radios",
        "checkbox_select": "checkboxes",
    }.items()
}

# The GOV.UK class of each kind of widget; the first match wins, so subclasses come first.
WIDGET_CLASSES = (
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Select, "govuk-select"),
    (forms.Textarea, "govuk-textarea"),
    (forms.FileInput, "govuk-file-upload"),
    (Input, "govuk-input"),
)
HAS_ERROR_CLASS = {"govuk-input", "govuk-select", "govuk-textarea", "govuk-file-upload"}


class GovUKBoundField(forms.BoundField):
    """Adds the GOV.UK classes (and `--error` ones) to widgets; tells templates where to link."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        css = next((css for kind, css in WIDGET_CLASSES if isinstance(widget, kind)), None)
        if css and not widget.is_hidden:
            error = f"{css}--error" if self.errors and css in HAS_ERROR_CLASS else ""
            classes = f"{css} {widget.attrs.get('class') or ''} {attrs.get('class') or ''} {error}"
            attrs["class"] = " ".join(dict.fromkeys(classes.split()))
        if widget.attrs.get("placeholder"):  # GOV.UK: placeholders fail many users; hints don't
            attrs["placeholder"] = False
        if isinstance(widget, forms.RadioSelect):  # radios, checkboxes: the fieldset has the error
            attrs.pop("aria-invalid", None)
        if isinstance(widget, forms.Textarea):  # Django's default size -> GOV.UK's (5 rows)
            if widget.attrs.get("rows") == "10":
                attrs["rows"] = "5"
            if widget.attrs.get("cols") == "40":
                attrs["cols"] = False
            if self.character_limit:
                # GOV.UK character count: the limit is announced and counted down, and going
                # over it is an error to fix, never text the browser cuts off silently.
                attrs["maxlength"] = False
                attrs["class"] = f"{attrs.get('class', '')} govuk-js-character-count".strip()
                info = f"{self.auto_id}-info"
                described = attrs.get("aria-describedby") or ""
                attrs["aria-describedby"] = f"{described} {info}".strip()
        return attrs

    @property
    def character_limit(self) -> int | None:
        if isinstance(self.field.widget, forms.Textarea):
            return getattr(self.field, "max_length", None)
        return None

    @property
    def is_checkbox(self):
        return isinstance(self.field.widget, forms.CheckboxInput)

    @property
    def error_link_id(self):
        """The id the error summary links to: the first radio/checkbox, or date part to fix."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if isinstance(widget, GovUKDateInput):
            return f"{id_}_{widget.error_parts(self.value())[0]}"
        if isinstance(widget, forms.RadioSelect):
            return f"{id_}_0"
        return id_


class GovUKFormRenderer(TemplatesSetting):
    """Renders Django forms with GOV.UK Design System markup (templates/govuk/)."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovUKBoundField

    def get_template(self, template_name):
        return super().get_template(GOVUK_WIDGET_TEMPLATES.get(template_name, template_name))


class GovUKDateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year text inputs (`<name>_0`, `_1`, `_2`).

    `GovUKDateInput(autocomplete="bday")` adds autocomplete="bday-day", "bday-month", "bday-year".
    """

    template_name = "govuk/widgets/date_input.html"
    fieldset_role = "group"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None, autocomplete=None):
        self.autocomplete = autocomplete
        widgets = [forms.TextInput(attrs={"inputmode": "numeric"}) for _ in self.parts]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    @staticmethod
    def error_parts(value):
        """Indexes of the parts to highlight: the empty ones if only some are, else all three."""
        parts = value if isinstance(value, list | tuple) else [None] * 3
        empty = [i for i, part in enumerate(parts) if part is None or not str(part).strip()]
        return empty if 0 < len(empty) < 3 else [0, 1, 2]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # BoundField sets aria-invalid when the field has errors; keep it on the wrong parts only.
        wrong = self.error_parts(value) if context["widget"]["attrs"].get("aria-invalid") else []
        subwidgets = context["widget"]["subwidgets"]
        for index, (subwidget, (part, label, width)) in enumerate(
            zip(subwidgets, self.parts, strict=True)
        ):
            sub_attrs = subwidget["attrs"]
            subwidget["label"] = label
            sub_attrs["class"] = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            if index in wrong:
                sub_attrs["class"] += " govuk-input--error"
            else:
                sub_attrs.pop("aria-invalid", None)
            if self.autocomplete:
                sub_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
        return context


MONTH_NAMES = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}


class GovUKDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK error messages that use the label."""

    widget = GovUKDateInput
    default_error_messages = {
        "required": "Enter %(lower_label)s",
        "incomplete": "%(label)s must include a %(missing)s",
        "invalid": "%(label)s must be a real date",
        "year": "Year must include 4 numbers",
    }

    def error(self, code, **params):
        label = str(self.label or "Date")
        lower_label = label if label[1:2].isupper() else label[:1].lower() + label[1:]
        params = {"label": label, "lower_label": lower_label, **params}
        return ValidationError(self.error_messages[code], code=code, params=params)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = list(value) if isinstance(value, list | tuple) else []
        day, month, year = (str(part or "").strip() for part in (parts + [""] * 3)[:3])
        if not (day or month or year):
            return None
        named = {"day": day, "month": month, "year": year}
        missing = [name for name, part in named.items() if not part]
        if missing:
            raise self.error("incomplete", missing=" and ".join(missing))
        month = str(MONTH_NAMES.get(month.lower(), month))
        if not all(part.isascii() and part.isdigit() for part in (day, month, year)):
            raise self.error("invalid")
        if len(year) != 4:
            raise self.error("year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise self.error("invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise self.error("required")


class WhenForm(forms.Form):
    """A date and a time of day, read as local time."""

    on = GovUKDateField(label="Date", help_text="For example, 27 3 2026")
    at = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 14:30",
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the time", "invalid": "Enter a time like 14:30"},
    )

    def when(self) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(self.cleaned_data["on"], self.cleaned_data["at"])
        )
