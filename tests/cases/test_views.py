"""The administrator's notification, triage and case pages; the public notification page."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cases.models import Case, Notification, TriageStatus
from core.models import AccessEvent
from tests.cases.factories import PAGES, make_case, make_notification, post_notification
from tests.conftest import sign_in


@pytest.fixture
def admin_client(client, administrator):
    sign_in(client, administrator)
    return client


def form_data(panel, **overrides) -> dict:
    luton = panel.areas.get(name="Luton")
    data = {
        "family_name": "Example",
        "given_names": "Robin",
        "other_names": "",
        "date_of_birth_0": "1",
        "date_of_birth_1": "2",
        "date_of_birth_2": "2021",
        "sex": "male",
        "nhs_number": "943 476 5919",
        "nhs_number_absent_reason": "",
        "ethnicity": "A",
        "address": "1 Example Street",
        "postcode": "LU1 1AA",
        "area": str(luton.pk),
        "ward": "",
        "gp_practice": "",
        "date_of_death_0": "3",
        "date_of_death_1": "4",
        "date_of_death_2": "2024",
        "time_of_death": "14:30",
        "place_of_death": "hospital_ed",
        "place_of_event": "",
        "death_type": "unexpected",
        "confirmed_by_designated_doctor": "yes",
        "post_mortem_required": "not_known",
        "coroner_informed": "yes",
        "known_causes": "",
        "circumstances": "Collapsed at home",
        "parental_responsibility": "Both parents",
        "other_children": "A sibling, 4",
        "notifier_name": "Nina Notifier",
        "notifier_role": "Paediatrician",
        "notifier_organisation": "Luton Hospital",
        "notifier_email": "nina@example.org",
        "notifier_phone": "01234 567890",
        "notified_on_0": "4",
        "notified_on_1": "4",
        "notified_on_2": "2024",
        "agencies_involved": "",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_an_administrator_records_a_notification(admin_client, panel):
    assert admin_client.get("/notifications/new/")["Location"] == "/notifications/new/child/"
    pages, response = post_notification(admin_client, "/notifications/new/", form_data(panel))
    assert [p["Location"] for p in pages] == [
        "/notifications/new/death/",
        "/notifications/new/household/",
        "/notifications/new/notifier/",
        "/notifications/new/check/",
    ]
    notification = Notification.objects.get()
    assert response["Location"] == f"/notifications/{notification.pk}/"
    assert notification.nhs_number == "9434765919"
    assert notification.source == "administrator"
    assert notification.history.get().history_user.email == "alice@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nhs_number": "9434765918"}, "Enter a real NHS number"),
        ({"nhs_number": ""}, "Enter the NHS number, or say why there is none"),
        ({"nhs_number_absent_reason": "not_available"}, "Leave this empty when you give an NHS"),
        ({"date_of_death_2": "2020"}, "Date of death must be on or after the date of birth"),
        ({"date_of_birth_2": "2001"}, "The child must have been under 18 when they died"),
        ({"notified_on_2": "2099", "date_of_death_2": "2099"}, "must be today or in the past"),
        ({"notified_on_1": "3"}, "Date of notification must be on or after the date of death"),
        ({"date_of_death_0": "31", "date_of_death_1": "2"}, "Date of death must be a real date"),
        ({"family_name": ""}, "Enter the child&#x27;s family name"),
        ({"death_type": ""}, "Select whether the death was expected"),
    ],
)
def test_it_shows_every_error_and_keeps_what_was_typed(admin_client, panel, changes, message):
    pages, check = post_notification(
        admin_client, "/notifications/new/", form_data(panel, **changes)
    )
    slug, page = next(
        (slug, p.content.decode())
        for slug, p in zip(PAGES, pages, strict=True)
        if message in p.content.decode()
    )
    title = {"child": "The child", "death": "The death", "notifier": "Who is notifying"}[slug]
    assert f"<title>Error: {title} – CDOP</title>" in page
    assert "There is a problem" in page
    kept = {"child": 'value="Example"', "death": 'value="14:30"', "notifier": 'value="Nina'}
    assert kept[slug] in page or changes.get("family_name") == ""
    # The check page lists what is still wrong and saves nothing.
    assert "There is a problem" in check.content.decode()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_notification_without_an_nhs_number_gives_the_reason(admin_client, panel):
    post_notification(
        admin_client,
        "/notifications/new/",
        form_data(panel, nhs_number="", nhs_number_absent_reason="non_resident"),
    )
    assert Notification.objects.get().nhs_number_absent_reason == "non_resident"


@pytest.mark.django_db
def test_triage_flags_a_likely_duplicate_and_the_administrator_merges_it(
    admin_client, panel, administrator
):
    case = make_case(panel, administrator)
    again = make_notification(
        panel,
        administrator,
        nhs_number="",
        nhs_number_absent_reason="",
        notifier_organisation="Bedfordshire Police",
    )
    page = admin_client.get(f"/notifications/{again.pk}/").content.decode()
    assert f"Possible match: case {case.number}" in page
    response = admin_client.post(f"/notifications/{again.pk}/merge/{case.pk}/")
    assert response["Location"] == f"/cases/{case.pk}/"
    again.refresh_from_db()
    assert again.case == case
    assert again.triage_status == TriageStatus.MERGED
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_two_children_judged_distinct_are_no_longer_flagged(admin_client, panel, administrator):
    first = make_notification(panel, administrator)
    second = make_notification(panel, administrator)
    assert (
        f"Possible match: notification {second.reference}"
        in admin_client.get(f"/notifications/{first.pk}/").content.decode()
    )
    admin_client.post(f"/notifications/{first.pk}/distinct/{second.pk}/")
    assert "Possible match" not in admin_client.get(f"/notifications/{first.pk}/").content.decode()
    assert "Possible match" not in admin_client.get(f"/notifications/{second.pk}/").content.decode()


@pytest.mark.django_db
def test_opening_a_case_from_triage(admin_client, panel, administrator):
    notification = make_notification(panel, administrator)
    response = admin_client.post(f"/notifications/{notification.pk}/open-case/")
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    page = admin_client.get(f"/cases/{case.pk}/").content.decode()
    assert "BEDS-2024-0001" in page
    assert "Case opened" in page  # the timeline
    assert AccessEvent.objects.filter(action="view", object_id=str(case.pk)).count() == 1


def listed(client, query="") -> set[str]:
    response = client.get(f"/cases/?{query}")
    return {case.number for case in response.context["page"].object_list}


@pytest.mark.django_db
def test_the_case_list_filters_and_searches(admin_client, panel, administrator):
    baby = make_case(
        panel,
        administrator,
        family_name="Infant",
        date_of_birth=date(2024, 1, 1),
        date_of_death=date(2024, 3, 4),
    )
    teen = make_case(
        panel,
        administrator,
        family_name="Teenager",
        nhs_number="4010232137",
        date_of_birth=date(2008, 6, 1),
        death_type="expected",
        area=panel.areas.get(name="Bedford Borough"),
    )
    assert listed(admin_client) == {baby.number, teen.number}
    assert listed(admin_client, "q=4010232137") == {teen.number}
    assert listed(admin_client, "q=401 023 2137") == {teen.number}
    assert listed(admin_client, "q=infant") == {baby.number}
    assert listed(admin_client, "age_band=under_1") == {baby.number}
    assert listed(admin_client, "age_band=10_17") == {teen.number}
    assert listed(admin_client, "death_type=expected") == {teen.number}
    luton = panel.areas.get(name="Luton")
    assert listed(admin_client, f"area={luton.pk}") == {baby.number}
    assert listed(admin_client, "state=closed") == set()
    after = "notified_from_0=6&notified_from_1=3&notified_from_2=2024"
    assert listed(admin_client, after) == set()
    assert listed(admin_client, after.replace("=6&", "=5&")) == {baby.number, teen.number}
    # A date that is not real is said so, and not applied.
    page = admin_client.get("/cases/?notified_from_0=31&notified_from_1=2&notified_from_2=2024")
    assert "Notified from must be a real date" in page.content.decode()
    assert listed(admin_client, "at_risk=yes") == {baby.number, teen.number}  # died in 2024


@pytest.mark.django_db
def test_the_case_list_marks_its_sort_order_for_screen_readers(admin_client, panel, administrator):
    make_case(panel, administrator)
    html = admin_client.get("/cases/?sort=date_of_death").content.decode()
    assert 'aria-sort="ascending"' in html
    html = admin_client.get("/cases/?sort=-date_of_death").content.decode()
    assert 'aria-sort="descending"' in html


@pytest.mark.django_db
def test_the_case_list_does_a_fixed_number_of_queries(
    admin_client, panel, administrator, django_assert_max_num_queries
):
    make_case(panel, administrator)
    with django_assert_max_num_queries(25) as one:
        admin_client.get("/cases/")
    for n in range(49):
        make_case(
            panel,
            administrator,
            nhs_number="",
            nhs_number_absent_reason="not_available",
            family_name=f"Child{n}",
        )
    with django_assert_max_num_queries(25) as fifty:
        response = admin_client.get("/cases/")
    assert len(response.context["page"].object_list) == 25
    assert len(fifty.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_a_case_can_be_paused_with_a_reason_and_resumed(admin_client, panel, administrator):
    case = make_case(panel, administrator)
    admin_client.post(f"/cases/{case.pk}/pause/", {"reason": ""})
    case.refresh_from_db()
    assert case.state == "notified"  # no reason, no pause
    admin_client.post(f"/cases/{case.pk}/pause/", {"reason": "Inquest"})
    case.refresh_from_db()
    assert case.state == "paused"
    assert "Inquest" in admin_client.get(f"/cases/{case.pk}/").content.decode()
    admin_client.post(f"/cases/{case.pk}/resume/")
    case.refresh_from_db()
    assert case.state == "notified"


# --- The public page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_professional_notifies_and_sees_only_a_reference(
    client, panel, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, response = post_notification(client, "/notify/BEDS/", form_data(panel), follow=True)
    notification = Notification.objects.get()
    html = response.content.decode()
    assert notification.source == "public_form"
    assert notification.reference in html
    assert "Robin" not in html
    assert "9434765919" not in html
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert f"/notifications/{notification.pk}/" in email.body
    assert "Robin" not in email.body
    assert "Example" not in email.body


@pytest.mark.django_db
def test_the_public_page_needs_the_notifiers_details(client, panel):
    pages, _ = post_notification(
        client, "/notify/BEDS/", form_data(panel, notifier_email="", notifier_phone="")
    )
    html = pages[-1].content.decode()
    assert "Enter your email address" in html
    assert "Enter your phone number" in html
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_public_page_limits_submissions_per_address(client, panel):
    for _ in range(10):
        client.post("/notify/BEDS/check/")  # each sending counts, whatever it holds
    _, response = post_notification(client, "/notify/BEDS/", form_data(panel))
    assert response.status_code == 429
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_public_page_refuses_posts_without_a_csrf_token(panel):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/notify/BEDS/child/", form_data(panel)).status_code == 403
    assert client.post("/notify/BEDS/check/").status_code == 403


@pytest.mark.django_db
def test_an_unknown_panel_has_no_public_page(client):
    assert client.get("/notify/NOPE/").status_code == 404


FORM_FIELDS = sorted(
    [
        "family_name",
        "given_names",
        "nhs_number",
        "nhs_number_absent_reason",
        "sex",
        "ethnicity",
        "area",
        "ward",
        "date_of_birth_0",
        "date_of_birth_1",
        "date_of_birth_2",
        "date_of_death_0",
        "date_of_death_1",
        "date_of_death_2",
        "time_of_death",
        "place_of_death",
        "death_type",
        "notified_on_0",
        "notified_on_1",
        "notified_on_2",
        "notifier_name",
        "notifier_email",
        "notifier_phone",
        "notifier_role",
        "notifier_organisation",
        "website",
        "postcode",
    ]
)


class TestNoInputBreaksTheForms(HypothesisTestCase):
    """Whatever is typed into the notification forms, the answer is a page, never a 500."""

    @classmethod
    def setUpTestData(cls):
        from core.history import system_user
        from panels.services import panel_setup

        cls.panel = panel_setup(
            code="BEDS", name="Bedfordshire CDOP", areas=["Luton"], by=system_user()
        ).panel

    @hypothesis_settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        st.dictionaries(
            st.sampled_from(FORM_FIELDS),
            st.text(max_size=30),
        )
    )
    def test_the_public_form(self, data):
        from django.core.cache import cache

        cache.clear()
        for slug in ("child", "death", "notifier", "check"):
            response = self.client.post(f"/notify/BEDS/{slug}/", data)
            assert response.status_code in {200, 302}

    @hypothesis_settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.dictionaries(st.sampled_from(FORM_FIELDS), st.text(max_size=30)))
    def test_the_administrators_form(self, data):
        from accounts.models import PanelRole
        from accounts.services import panel_membership_add, user_create
        from core.history import system_user

        user = user_create(
            email=f"a{timezone.now().timestamp()}@example.org", full_name="A", by=system_user()
        )
        panel_membership_add(
            user=user, panel=self.panel, role=PanelRole.ADMINISTRATOR, by=system_user()
        )
        sign_in(self.client, user)
        for slug in ("child", "death", "household", "check"):
            response = self.client.post(f"/notifications/new/{slug}/", data)
            assert response.status_code in {200, 302}

    @hypothesis_settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.text(max_size=20), st.text(max_size=12), st.text(max_size=6))
    def test_the_case_list_filters(self, state, area, notified_from):
        from accounts.models import PanelRole
        from accounts.services import panel_membership_add, user_create
        from core.history import system_user

        user = user_create(
            email=f"x{timezone.now().timestamp()}@example.org", full_name="X", by=system_user()
        )
        panel_membership_add(
            user=user, panel=self.panel, role=PanelRole.ADMINISTRATOR, by=system_user()
        )
        sign_in(self.client, user)
        response = self.client.get(
            "/cases/",
            {
                "state": state,
                "area": area,
                "notified_from_0": notified_from,
                "notified_from_1": state,
                "notified_from_2": area,
                "q": state,
                "sort": area,
                "page": notified_from,
            },
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_the_filtered_list_exports_to_csv_with_formulas_defused(admin_client, panel, administrator):
    import csv
    import io

    make_case(panel, administrator, family_name='=HYPERLINK("http://evil.example")')
    make_case(
        panel, administrator, family_name="Other", nhs_number="4010232137", death_type="expected"
    )
    response = admin_client.get("/cases/export.csv?death_type=unexpected")

    def case_pk_of(number):
        from cases.models import Case

        return Case.objects.get(number=number).pk

    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Case number", "Panel reference", "Family name"]
    assert len(rows) == 2  # the filter applies: only the unexpected death
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example")'
    event = AccessEvent.objects.get(action="export")
    assert event.row_count == 1
    assert [o.object_id for o in event.objects_shown.all()] == [str(case_pk_of(rows[1][0]))]
    assert "death_type=" not in event.path
    assert "filters: death_type" in event.detail


@pytest.mark.django_db
def test_the_list_exports_to_xlsx_with_real_dates(admin_client, panel, administrator):
    import io

    from openpyxl import load_workbook

    make_case(panel, administrator, family_name="+44 trick")
    response = admin_client.get("/cases/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Cases"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Family name"] == "'+44 trick"
    assert row["Date of death"].date() == date(2024, 3, 4)
    case = Case.objects.get()
    assert (row["Stage"], row["Expected"]) == ("Notified", case.get_death_type_display())
    assert (row["Sex"], row["Area"]) == (case.sex.label, case.area.name)
    assert row["Ward"] in ("", None)  # none recorded: a blank cell
    assert AccessEvent.objects.filter(action="export").count() == 1


@pytest.mark.django_db
def test_the_administrator_keeps_the_case_details_up_to_date(admin_client, panel, administrator):
    case = make_case(panel, administrator)
    bedford = panel.areas.get(name="Bedford Borough")
    response = admin_client.post(
        f"/cases/{case.pk}/details/",
        {"death_type": "expected", "area": bedford.pk, "ward": "", "key_worker": administrator.pk},
    )
    assert response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.death_type == "expected"
    assert case.area == bedford
    assert case.key_worker == administrator
    event = case.events.get(kind="details_changed")
    assert "death type" in event.detail
    assert "key worker" in event.detail


@pytest.mark.django_db
def test_a_related_process_is_recorded_with_dates_checked(admin_client, panel, administrator):
    case = make_case(panel, administrator)
    response = admin_client.post(
        f"/cases/{case.pk}/processes/new/",
        {
            "kind": "inquest",
            "started_on_0": "1",
            "started_on_1": "6",
            "started_on_2": "2024",
            "concluded_on_0": "1",
            "concluded_on_1": "5",
            "concluded_on_2": "2024",
            "outcome": "",
        },
    )
    assert "Concluded on must be on or after the start" in response.content.decode()
    admin_client.post(
        f"/cases/{case.pk}/processes/new/",
        {
            "kind": "inquest",
            "started_on_0": "1",
            "started_on_1": "6",
            "started_on_2": "2024",
            "outcome": "Opened and adjourned",
        },
    )
    assert case.related_processes.get().outcome == "Opened and adjourned"
    assert "Opened and adjourned" in admin_client.get(f"/cases/{case.pk}/").content.decode()


@pytest.mark.django_db
def test_a_closed_case_cannot_be_changed(admin_client, panel, administrator):
    from cases.services import case_mark_ready_for_panel
    from panels.models import Analysis

    case = make_case(panel, administrator)
    case = case_mark_ready_for_panel(case=case, by=administrator)
    Analysis.objects.create(case=case, primary_category_id=5, modifiable="no")
    from cases.services import case_close

    case_close(case=case, review_date=date(2024, 9, 1), by=administrator)
    response = admin_client.post(
        f"/cases/{case.pk}/details/",
        {"death_type": "expected", "area": case.area.pk, "ward": "", "key_worker": ""},
    )
    assert "This case is closed" in response.content.decode()
    case.refresh_from_db()
    assert case.death_type == "unexpected"


@pytest.mark.django_db
def test_each_filter_in_use_shows_as_a_tag_that_removes_it(admin_client, panel, administrator):
    make_case(panel, administrator)
    html = admin_client.get("/cases/?state=notified&q=Example").content.decode()
    assert "Selected filters" in html
    assert 'href="?q=Example"' in html  # removing the stage keeps the search
    assert 'href="?state=notified"' in html


@pytest.mark.django_db
def test_the_public_page_limits_the_length_of_free_text(client, panel):
    response = client.post("/notify/BEDS/death/", form_data(panel, circumstances="x" * 5001))
    page = response.content.decode()
    assert "Ensure this value has at most 5000 characters" in page
    assert "x" * 5001 in page  # nothing was cut off
    assert "You can enter up to 5000 characters" in page  # the limit is announced
    assert ' maxlength="5000"' not in page  # (data-maxlength is the count's)
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_stream_and_each_exported_case_knows_it_was_exported(
    admin_client, panel, administrator, file_format
):
    cases = [make_case(panel, administrator, family_name=f"Child{n}") for n in range(3)]
    response = admin_client.get(f"/cases/export.{file_format}")
    assert response.streaming  # written as it is read, not held whole in memory
    b"".join(response.streaming_content)
    event = AccessEvent.objects.get(action="export")
    assert event.row_count == 3
    assert sorted(o.object_id for o in event.objects_shown.all()) == sorted(
        str(c.pk) for c in cases
    )
    page = admin_client.get(f"/cases/{cases[0].pk}/viewed-by/").content.decode()
    assert "exported" in page  # "Who has viewed this case" lists the export
