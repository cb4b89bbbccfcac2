"""The case list reads from indexes whatever the number of cases: each search by its shape,
each order by a matching index, the count and the pages capped (issue 9)."""

import pytest
from django.db import connection

from cases.selectors import CappedPaginator, CaseFilters, case_list_for, search_kind
from tests.cases.factories import make_case
from tests.conftest import sign_in


def indexes_of(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: c["columns"] for name, c in found.items() if c["index"]}


def test_searches_are_read_by_their_shape():
    assert search_kind("943 476 5919") == "NHS number"
    assert search_kind("beds-2024-00") == "case number"
    assert search_kind("BEDS-2024") == "case number"
    assert search_kind("Zoë") == "name or reference"
    assert search_kind("B-101") == "name or reference"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "found", "where"),
    [
        ("Amelie", "ZOË", '"cases_case"."search_name"::text LIKE'),
        ("401 023 2137", "OTHER", '"cases_case"."nhs_number" = '),
        ("beds-2024-0002", "OTHER", '"cases_case"."number"::text LIKE'),
    ],
)
def test_each_search_asks_one_column_by_its_shape(panel, administrator, q, found, where):
    make_case(panel, administrator, family_name="Zoë", given_names="Amélie")
    make_case(panel, administrator, family_name="Other", nhs_number="4010232137")
    query = case_list_for(administrator, CaseFilters(q=q))
    assert [c.family_name.upper() for c in query] == [found]
    sql = str(query.query)
    assert where in sql
    assert "UPPER(" not in sql  # no case-folding of a column: it would lose the index


@pytest.mark.django_db
def test_each_order_and_the_name_search_have_an_index():
    indexes = indexes_of("cases_case")
    for sort in ("date_notified", "date_of_death", "family_name", "number"):
        assert any(columns[:2] == ["panel_id", sort] for columns in indexes.values()), sort
    assert "case_search_name_trgm" in indexes  # pg_trgm: LIKE '%…%' on the names


@pytest.mark.django_db
def test_the_count_and_the_pages_stop_at_the_cap(client, panel, administrator):
    for n in range(7):
        make_case(panel, administrator, family_name=f"Child{n}", nhs_number="")
    paginator = CappedPaginator(case_list_for(administrator, CaseFilters()), 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 3)
    assert len(paginator.get_page(99).object_list) == 1  # the deepest page: rows 5 to 5
    sign_in(client, administrator)
    html = client.get("/cases/").content.decode()
    assert "7 cases" in html


@pytest.mark.django_db
def test_past_the_cap_the_list_asks_for_a_narrower_search(
    client, panel, administrator, monkeypatch
):
    monkeypatch.setattr("cases.views.LIST_CAP", 5)
    for n in range(7):
        make_case(panel, administrator, family_name=f"Child{n}", nhs_number="")
    sign_in(client, administrator)
    html = client.get("/cases/").content.decode()
    assert "More than 5 cases" in html
    assert "narrow" in html
    assert html.count('<tr class="govuk-table__row">') == 1 + 5  # a header, the first five


@pytest.mark.django_db
def test_age_bands_as_dates_agree_with_whole_years_on_leap_days(panel, administrator):
    from datetime import date

    from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

    from cases.models import Case
    from cases.selectors import age_in_years, aged_between
    from tests.cases.factories import make_case

    # (born, died): a 29 February birthday, the day before and after a birthday, a first
    # birthday on the day of death.
    pairs = [
        (date(2020, 2, 29), date(2021, 2, 28)),
        (date(2020, 2, 29), date(2021, 3, 1)),
        (date(2020, 2, 29), date(2024, 2, 29)),
        (date(2019, 3, 1), date(2024, 2, 29)),
        (date(2015, 6, 10), date(2025, 6, 9)),
        (date(2015, 6, 10), date(2025, 6, 10)),
        (date(2023, 5, 1), date(2024, 5, 1)),
    ]
    for born, died in pairs:
        make_case(panel, administrator, date_of_birth=born, date_of_death=died)
    cases = Case.objects.all()
    age = age_in_years()
    for low, high in [(0, 0), (1, 9), (10, 17), (4, 4), (1, 1)]:
        by_dates = set(cases.filter(aged_between(low, high)).values_list("pk", flat=True))
        by_years = set(
            cases.filter(GreaterThanOrEqual(age, low), LessThanOrEqual(age, high)).values_list(
                "pk", flat=True
            )
        )
        assert by_dates == by_years, (low, high)
    assert cases.filter(aged_between(1, 1)).count() == 2  # 1 March 2021 and 1 May 2024
