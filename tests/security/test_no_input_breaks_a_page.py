"""No input answers 500: random values posted to every POST endpoint as each kind of person.

Every URL of the project (the Django admin's own pages aside) is posted random forms: the
fields of the project's forms with random text, odd numbers, NUL, and names no form has.
Each example runs in a transaction that is rolled back, and starts signed in afresh."""

import inspect

from django import forms
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

import accounts.forms
import cases.forms
from tests.security.test_authz_matrix import ROUTES, concrete_path, is_admin
from tests.security.world import (
    ADMINISTRATOR,
    ANONYMOUS,
    DEACTIVATED,
    LIKE,
    PERSONAS,
    SYSTEM_ADMINISTRATOR,
    build_world,
)


def _field_names() -> list[str]:
    names = set()
    for module in (cases.forms, accounts.forms):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for name, field in form.base_fields.items():
                    names.add(name)
                    if isinstance(field.widget, forms.MultiWidget):
                        names.update(f"{name}_{i}" for i in range(3))
    return sorted(names | {"q", "state", "sort", "page", "login", "password", "code"})


FIELDS = _field_names()
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1", "2024", "31", "99999999999999999999", "yes", "\x00"]),
    st.sampled_from(["panel:1:administrator", "agency:1:lead", "child", "A", "male", "home"]),
    st.text(min_size=5001, max_size=5010, alphabet="x"),
)
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), VALUES)
# Signing out would end the example's session; the rest is fair game.
SKIPPED = {"account_logout"}


class NoInputBreaksAPage(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.paths = [
            concrete_path(route, name, cls.world)
            for route, name, _ in ROUTES
            if not is_admin(route) and name not in SKIPPED
        ]

    def post_everywhere(self, persona: str, data: dict) -> None:
        cache.clear()
        client = Client()
        if persona != ANONYMOUS:
            user = self.world.people[persona]
            client.force_login(user)
            if persona == DEACTIVATED:
                type(user).objects.filter(pk=user.pk).update(is_active=False)
        for path in self.paths:
            response = client.post(path, data)  # a server error raises here
            assert response.status_code < 500, (path, response.status_code)


def _add_test(persona: str, examples: int) -> None:
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(FORMS)
    def test(self, data):
        self.post_everywhere(persona, data)

    test.__name__ = f"test_as_{persona}"
    setattr(NoInputBreaksAPage, test.__name__, test)


# Every persona; more tries for those who reach the most pages, one for the people whose roles
# changed (the matrix shows they reach exactly the pages of the persona they are now like).
for _persona in PERSONAS:
    _add_test(
        _persona,
        8 if _persona in {ADMINISTRATOR, SYSTEM_ADMINISTRATOR} else 1 if _persona in LIKE else 3,
    )
