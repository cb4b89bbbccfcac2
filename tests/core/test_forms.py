"""Forms render GOV.UK Design System markup through core.forms.GovUKFormRenderer (FORM_RENDERER)."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from core.forms import GovUKDateField, GovUKDateInput

# --- a tiny HTML reader: the elements a user (or assistive technology) would meet -------------


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    ancestors: list = field(repr=False)
    text: str = ""
    children: list = field(default_factory=list, repr=False)

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    def has(self, tag=None, **attrs):
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        if tag and self.tag != tag:
            return False
        for name, value in wanted.items():
            if name == "class":
                if value not in self.classes:
                    return False
            elif self.attrs.get(name) != value:
                return False
        return True


class _Reader(HTMLParser):
    VOID = {"input", "br", "img", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.elements, self.open = [], []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: "" if v is None else v for k, v in attrs}, list(self.open))
        for ancestor in self.open:
            ancestor.children.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open and self.open.pop().tag != tag:
            pass

    def handle_data(self, data):
        for element in self.open:
            element.text += data


def find_all(html, tag=None, **attrs):
    reader = _Reader()
    reader.feed(str(html))
    for element in reader.elements:
        element.text = " ".join(element.text.split())
    return [element for element in reader.elements if element.has(tag, **attrs)]


def find(html, tag=None, **attrs):
    found = find_all(html, tag, **attrs)
    assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)} in:\n{html}"
    return found[0]


def summary(form):
    return Template('{% include "includes/error_summary.html" with form=form %}').render(
        Context({"form": form})
    )


# --- forms --------------------------------------------------------------------------------------


class ChildForm(forms.Form):
    full_name = forms.CharField(label="Full name", help_text="As on the birth certificate")
    email = forms.EmailField(label="Email address", required=False)
    age = forms.IntegerField(label="Age in days", required=False)
    date_of_death = GovUKDateField(label="Date of death", help_text="For example, 27 3 2007")
    sex = forms.ChoiceField(
        label="Sex",
        choices=[("female", "Female"), ("male", "Male")],
        widget=forms.RadioSelect,
        help_text="As recorded at birth",
    )
    factors = forms.MultipleChoiceField(
        label="Known factors",
        choices=[("smoking", "Smoking"), ("housing", "Poor housing")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    region = forms.ChoiceField(label="Region", choices=[("", "Choose a region"), ("n", "North")])
    summary = forms.CharField(label="Summary", widget=forms.Textarea, required=False)
    confirmed = forms.BooleanField(label="I have checked these details", required=False)

    def clean(self):
        if self.data.get("full_name") == "Nobody":
            raise forms.ValidationError("These details do not match a notified death")
        return super().clean()


VALID = {
    "full_name": "Ann Example",
    "date_of_death": "",
    "date_of_death_0": "3",
    "date_of_death_1": "4",
    "date_of_death_2": "2020",
    "sex": "female",
    "region": "n",
}


def bound(**changes):
    return ChildForm({**VALID, **changes})


class DateForm(forms.Form):
    date_of_death = GovUKDateField(label="Date of death")


def date_errors(day, month, year):
    form = DateForm({"date_of_death_0": day, "date_of_death_1": month, "date_of_death_2": year})
    return form.errors.get("date_of_death", [])


# --- labels, hints, optional fields -------------------------------------------------------------


def test_it_ties_each_label_to_its_input():
    html = str(ChildForm())

    for name, label in [("full_name", "Full name"), ("region", "Region"), ("summary", "Summary")]:
        assert find(html, "label", for_=f"id_{name}").text.startswith(label)
        assert find_all(html, id=f"id_{name}")[0].attrs["name"] == name


def test_it_shows_help_text_as_a_hint_that_describes_the_input():
    html = str(ChildForm())

    hint = find(html, "div", class_="govuk-hint", id="id_full_name_helptext")
    assert hint.text == "As on the birth certificate"
    assert find(html, "input", id="id_full_name").attrs["aria-describedby"] == hint.attrs["id"]


def test_it_marks_optional_fields_and_leaves_required_ones_unmarked():
    html = str(ChildForm())

    assert find(html, "label", for_="id_email").text == "Email address (optional)"
    assert find(html, "label", for_="id_full_name").text == "Full name"
    assert find(html, "label", for_="id_confirmed").text == "I have checked these details"
    assert "*" not in html


def test_it_renders_text_email_and_number_fields_as_govuk_inputs():
    html = str(ChildForm())

    for name, input_type in [("full_name", "text"), ("email", "email"), ("age", "number")]:
        element = find(html, "input", id=f"id_{name}")
        assert element.classes == ["govuk-input"]
        assert element.attrs["type"] == input_type
        assert "govuk-form-group" in element.ancestors[-1].classes


def test_it_keeps_classes_given_to_the_widget():
    class WidthForm(forms.Form):
        code = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    html = str(WidthForm({"code": ""}))

    assert find(html, "input", id="id_code").classes == [
        "govuk-input",
        "govuk-input--width-10",
        "govuk-input--error",
    ]


# --- errors on a field --------------------------------------------------------------------------


def test_it_shows_the_error_message_above_an_invalid_input_with_error_classes():
    html = str(bound(full_name="", email="not an email"))

    group = find(html, "input", id="id_email").ancestors[-1]
    assert group.classes == ["govuk-form-group", "govuk-form-group--error"]
    message = find(html, "p", id="id_email_error")
    assert message.classes == ["govuk-error-message"]
    assert message.text == "Error: Enter a valid email address."
    assert message.children[0].has("span", class_="govuk-visually-hidden")
    assert "govuk-input--error" in find(html, "input", id="id_email").classes


def test_it_describes_an_invalid_input_by_its_hint_and_its_error():
    html = str(bound(full_name=""))

    element = find(html, "input", id="id_full_name")
    assert element.attrs["aria-describedby"] == "id_full_name_helptext id_full_name_error"
    assert find(html, id="id_full_name_helptext").text == "As on the birth certificate"
    assert find(html, id="id_full_name_error").text == "Error: This field is required."
    assert element.attrs["aria-invalid"] == "true"


def test_it_leaves_valid_fields_of_an_invalid_form_without_error_styling():
    html = str(bound(email="not an email"))

    assert find(html, "input", id="id_full_name").classes == ["govuk-input"]
    assert "aria-invalid" not in find(html, "input", id="id_full_name").attrs
    assert not find_all(html, id="id_full_name_error")


def test_it_marks_an_invalid_select_and_textarea():
    class NotesForm(forms.Form):
        region = forms.ChoiceField(choices=[("", "Choose"), ("n", "North")])
        notes = forms.CharField(widget=forms.Textarea, max_length=3)

    html = str(NotesForm({"region": "", "notes": "too long"}))

    assert find(html, "select", id="id_region").classes == ["govuk-select", "govuk-select--error"]
    assert find(html, "textarea", id="id_notes").classes == [
        "govuk-textarea",
        "govuk-textarea--error",
        "govuk-js-character-count",  # a limited textarea counts what is left (GOV.UK)
    ]
    assert find(html, "textarea", id="id_notes").text == "too long"  # over the limit, not cut
    assert 'data-module="govuk-character-count" data-maxlength="3"' in html
    assert "You can enter up to 3 characters" in html


# --- the error summary --------------------------------------------------------------------------


def test_it_shows_no_error_summary_for_a_new_or_valid_form():
    assert summary(ChildForm()).strip() == ""
    form = bound()
    assert form.is_valid(), form.errors
    assert summary(form).strip() == ""


def test_it_shows_an_error_summary_titled_there_is_a_problem():
    html = summary(bound(full_name=""))

    box = find(html, "div", class_="govuk-error-summary")
    assert box.attrs["data-module"] == "govuk-error-summary"
    assert find(html, "div", role="alert")
    assert find(html, "h2", class_="govuk-error-summary__title").text == "There is a problem"


def test_it_links_each_error_in_the_summary_to_its_field():
    form = bound(full_name="", email="nope", sex="", region="")
    html = summary(form)

    links = {a.attrs["href"]: a.text for a in find_all(html, "a")}
    assert links == {
        "#id_full_name": "This field is required.",
        "#id_email": "Enter a valid email address.",
        "#id_sex_0": "This field is required.",
        "#id_region": "This field is required.",
    }
    page = str(form)
    for href in links:
        assert find_all(page, id=href[1:]), f"{href} points at nothing"


def test_it_lists_errors_about_the_whole_form_in_the_summary():
    html = summary(bound(full_name="Nobody"))

    items = find_all(html, "li")
    assert [item.text for item in items] == ["These details do not match a notified death"]
    assert not find_all(html, "a")


def test_it_links_a_date_error_to_the_first_part_to_fix():
    assert 'href="#id_date_of_death_1"' in summary(bound(date_of_death_1=""))
    assert 'href="#id_date_of_death_0"' in summary(bound(date_of_death_1="13"))


def test_it_escapes_what_the_user_typed_in_error_messages():
    html = str(bound(sex="<script>"))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


# --- the date field -----------------------------------------------------------------------------


def test_it_renders_a_date_as_day_month_and_year_inputs_in_a_fieldset():
    html = str(ChildForm())

    fieldset = find(html, "fieldset", role="group")
    assert fieldset.attrs["aria-describedby"] == "id_date_of_death_helptext"
    assert fieldset.children[0].has("legend", class_="govuk-fieldset__legend")
    assert fieldset.children[0].text == "Date of death"
    assert find(html, "div", class_="govuk-date-input").attrs["id"] == "id_date_of_death"
    for index, (label, width) in enumerate([("Day", 2), ("Month", 2), ("Year", 4)]):
        element = find(html, "input", id=f"id_date_of_death_{index}")
        assert element.attrs["name"] == f"date_of_death_{index}"
        assert element.attrs["inputmode"] == "numeric"
        assert element.classes == [
            "govuk-input",
            "govuk-date-input__input",
            f"govuk-input--width-{width}",
        ]
        assert find(html, "label", for_=f"id_date_of_death_{index}").text == label
        assert element.ancestors[1].has("fieldset", role="group")
        assert "autocomplete" not in element.attrs


def test_it_fills_the_date_inputs_from_an_initial_date():
    html = str(DateForm(initial={"date_of_death": datetime.date(2021, 2, 9)}))

    values = [find(html, "input", id=f"id_date_of_death_{i}").attrs["value"] for i in range(3)]
    assert values == ["9", "2", "2021"]


def test_it_keeps_the_typed_date_parts_after_an_error():
    html = str(bound(date_of_death_0="31", date_of_death_1="feb", date_of_death_2="2020"))

    values = [find(html, "input", id=f"id_date_of_death_{i}").attrs["value"] for i in range(3)]
    assert values == ["31", "feb", "2020"]
    assert find(html, "p", id="id_date_of_death_error").text == (
        "Error: Date of death must be a real date"
    )


def test_it_highlights_only_the_missing_date_parts():
    html = str(bound(date_of_death_0="", date_of_death_1="4", date_of_death_2=""))

    inputs = [find(html, "input", id=f"id_date_of_death_{i}") for i in range(3)]
    assert ["govuk-input--error" in element.classes for element in inputs] == [True, False, True]
    fieldset = find(html, "fieldset", role="group")
    assert fieldset.attrs["aria-describedby"] == (
        "id_date_of_death_helptext id_date_of_death_error"
    )
    assert "govuk-form-group--error" in fieldset.ancestors[-1].classes


def test_it_highlights_the_whole_date_when_it_is_not_a_real_date():
    html = str(bound(date_of_death_0="30", date_of_death_1="2", date_of_death_2="2021"))

    inputs = [find(html, "input", id=f"id_date_of_death_{i}") for i in range(3)]
    assert all("govuk-input--error" in element.classes for element in inputs)


def test_it_adds_autocomplete_to_the_date_parts_only_when_asked():
    class BirthForm(forms.Form):
        date_of_birth = GovUKDateField(widget=GovUKDateInput(autocomplete="bday"))

    html = str(BirthForm())

    tokens = [
        find(html, "input", id=f"id_date_of_birth_{i}").attrs["autocomplete"] for i in (0, 1, 2)
    ]
    assert tokens == ["bday-day", "bday-month", "bday-year"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter date of death"),
        ("3", "", "2020", "Date of death must include a month"),
        ("", "4", "2020", "Date of death must include a day"),
        ("3", "4", "", "Date of death must include a year"),
        ("", "", "2020", "Date of death must include a day and month"),
        ("31", "2", "2020", "Date of death must be a real date"),
        ("0", "1", "2020", "Date of death must be a real date"),
        ("3", "13", "2020", "Date of death must be a real date"),
        ("three", "4", "2020", "Date of death must be a real date"),
        ("3", "4", "twenty", "Date of death must be a real date"),
        ("3", "4", "20", "Year must include 4 numbers"),
    ],
)
def test_it_explains_what_is_wrong_with_a_date(day, month, year, message):
    assert date_errors(day, month, year) == [message]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("29", "2", "2020", datetime.date(2020, 2, 29)),
        (" 03 ", "04", " 2021", datetime.date(2021, 4, 3)),
        ("3", "April", "2021", datetime.date(2021, 4, 3)),
        ("3", "apr", "2021", datetime.date(2021, 4, 3)),
    ],
)
def test_it_turns_the_three_parts_into_a_date(day, month, year, expected):
    form = DateForm({"date_of_death_0": day, "date_of_death_1": month, "date_of_death_2": year})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_death"] == expected


def test_an_optional_date_may_be_left_blank():
    class OptionalDateForm(forms.Form):
        date_of_death = GovUKDateField(label="Date of death", required=False)

    form = OptionalDateForm({"date_of_death_0": "", "date_of_death_1": "", "date_of_death_2": ""})

    assert form.is_valid()
    assert form.cleaned_data["date_of_death"] is None
    assert find(str(form), "legend").text == "Date of death (optional)"


@given(st.text(), st.text(), st.text())
def test_arbitrary_text_in_the_date_parts_never_raises(day, month, year):
    form = DateForm({"date_of_death_0": day, "date_of_death_1": month, "date_of_death_2": year})

    if form.is_valid():
        assert isinstance(form.cleaned_data["date_of_death"], datetime.date)
    else:
        assert len(form.errors["date_of_death"]) == 1
    str(form)
    summary(form)


# --- radios, checkboxes, select, textarea ------------------------------------------------------


def test_it_puts_radios_in_a_fieldset_with_a_legend():
    html = str(ChildForm())

    radios = find_all(html, "input", type="radio")
    assert [radio.attrs["id"] for radio in radios] == ["id_sex_0", "id_sex_1"]
    group = find(html, "div", class_="govuk-radios")
    assert group.attrs["data-module"] == "govuk-radios"
    fieldset = group.ancestors[-1]
    assert fieldset.tag == "fieldset"
    assert fieldset.attrs["aria-describedby"] == "id_sex_helptext"
    assert "role" not in fieldset.attrs
    assert fieldset.children[0].tag == "legend"
    assert fieldset.children[0].text == "Sex"
    for radio in radios:
        assert radio.classes == ["govuk-radios__input"]
        assert "govuk-radios__item" in radio.ancestors[-1].classes
    assert find(html, "label", for_="id_sex_1").classes == ["govuk-label", "govuk-radios__label"]


def test_it_keeps_the_chosen_radio_and_reports_errors_on_the_fieldset():
    html = str(bound(full_name="", sex="male"))
    assert "checked" in find(html, "input", id="id_sex_1").attrs

    html = str(bound(sex=""))
    fieldset = find(html, "div", class_="govuk-radios").ancestors[-1]
    assert fieldset.attrs["aria-describedby"] == "id_sex_helptext id_sex_error"
    assert "govuk-form-group--error" in fieldset.ancestors[-1].classes
    assert not any("aria-invalid" in radio.attrs for radio in find_all(html, type="radio"))


def test_it_puts_checkboxes_in_a_fieldset_with_a_legend_and_keeps_the_ticked_ones():
    form = ChildForm({**VALID, "factors": ["housing"]})
    html = str(form)

    group = find_all(html, "div", class_="govuk-checkboxes", data_module="govuk-checkboxes")[0]
    assert group.ancestors[-1].tag == "fieldset"
    legends = [legend.text for legend in find_all(html, "legend", class_="govuk-fieldset__legend")]
    assert legends == ["Date of death", "Sex", "Known factors (optional)"]
    boxes = find_all(html, "input", type="checkbox", name="factors")
    assert [box.classes for box in boxes] == [["govuk-checkboxes__input"]] * 2
    assert ["checked" in box.attrs for box in boxes] == [False, True]
    label = find(html, "label", for_="id_factors_1")
    assert (label.text, label.classes) == (
        "Poor housing",
        ["govuk-label", "govuk-checkboxes__label"],
    )


def test_it_renders_a_single_checkbox_without_a_fieldset():
    html = str(ChildForm())

    box = find(html, "input", id="id_confirmed")
    assert box.attrs["type"] == "checkbox"
    assert box.classes == ["govuk-checkboxes__input"]
    assert [ancestor.tag for ancestor in box.ancestors] == ["div", "div", "div"]
    assert box.ancestors[1].attrs["data-module"] == "govuk-checkboxes"
    assert find(html, "label", for_="id_confirmed").classes == [
        "govuk-label",
        "govuk-checkboxes__label",
    ]


def test_it_renders_a_select_with_its_options():
    html = str(bound(region="n"))

    select = find(html, "select", id="id_region")
    assert select.classes == ["govuk-select"]
    options = find_all(html, "option")
    assert [(option.attrs["value"], option.text) for option in options] == [
        ("", "Choose a region"),
        ("n", "North"),
    ]
    assert "selected" in options[1].attrs


def test_it_renders_a_textarea_five_rows_high():
    html = str(ChildForm())

    textarea = find(html, "textarea", id="id_summary")
    assert textarea.classes == ["govuk-textarea"]
    assert textarea.attrs["rows"] == "5"
    assert "cols" not in textarea.attrs
    assert find(html, "label", for_="id_summary").text == "Summary (optional)"


def test_it_renders_hidden_fields_without_a_label():
    class HiddenForm(forms.Form):
        case = forms.CharField(widget=forms.HiddenInput, initial="42")

    html = str(HiddenForm())

    assert find(html, "input", type="hidden").attrs["value"] == "42"
    assert not find_all(html, "label")
    assert not find_all(html, "div")
