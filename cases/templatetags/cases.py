"""How case data is shown: NHS numbers in their printed 3-3-4 form, stages in colour."""

from django import template

register = template.Library()


@register.filter
def nhs_number(value: str) -> str:
    """`4857773457` → `485 777 3457`, as NHS letters and cards print it."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) != 10:
        return str(value or "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# GOV.UK tag colours by stage: the words say the stage, the colour only helps to scan a list.
STAGE_COLOURS = {
    "notified": "govuk-tag--blue",
    "information_gathering": "govuk-tag--light-blue",
    "ready_for_panel": "govuk-tag--green",
    "scheduled": "govuk-tag--purple",
    "paused": "govuk-tag--orange",
    "closed": "govuk-tag--grey",
}


@register.filter
def stage_colour(state: str) -> str:
    return STAGE_COLOURS.get(state, "govuk-tag--grey")
