"""The GOV.UK widget templates' one helper: a widget's HTML attributes, written in Python.

An `{% include %}` per attribute list cost a template render for every input, option and
radio of a form (hundreds on a notification page); `flatatt` writes the same attributes,
escaped, with `True` as a bare name and `False` left out.
"""

from django import template
from django.forms.utils import flatatt

register = template.Library()


@register.filter
def html_attrs(attrs: dict) -> str:
    return flatatt(attrs)
