"""The case list as the administrator uses it every day."""

import pytest

from tests.cases.factories import make_case
from tests.conftest import sign_in


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


def listed(client, query: str) -> list[str]:
    html = client.get(f"/cases/?{query}").content.decode()
    return [name for name in ("ZOË", "JOHNSON", "SMITH") if f"{name}," in html]


@pytest.mark.django_db
def test_search_finds_given_names_whatever_the_accents_and_case(admin_client, panel, administrator):
    make_case(panel, administrator, family_name="Zoë", given_names="Amélie Rose")
    make_case(panel, administrator, family_name="Johnson", given_names="Zoe", nhs_number="")
    make_case(panel, administrator, family_name="Smith", given_names="Sam", nhs_number="4010232137")
    assert listed(admin_client, "q=amelie") == ["ZOË"]
    assert listed(admin_client, "q=ZOE") == ["ZOË", "JOHNSON"]
    assert listed(admin_client, "q=zoë+amélie") == ["ZOË"]
    assert listed(admin_client, "q=rose") == ["ZOË"]


@pytest.mark.django_db
def test_nhs_numbers_are_shown_and_found_as_printed(admin_client, panel, administrator):
    case = make_case(panel, administrator, family_name="Smith", nhs_number="4010232137")
    assert listed(admin_client, "q=401+023+2137") == ["SMITH"]
    assert listed(admin_client, "q=4010232137") == ["SMITH"]
    page = admin_client.get(f"/cases/{case.pk}/").content.decode()
    assert "401 023 2137" in page
    assert "4010232137" not in page


@pytest.mark.django_db
def test_stages_are_coloured_tags(admin_client, panel, administrator):
    make_case(panel, administrator)
    html = admin_client.get("/cases/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--blue">Notified</strong>' in html
