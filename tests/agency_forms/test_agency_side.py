"""The agency's side of reporting forms (issue 10, items 2, 4 and 6): "My requests",
completing a form in sections with the case's facts filled in, check your answers, submit
once, files, the administrator's return for amendment, and who sees what."""

from datetime import date

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import AgencyRole, AgencyType
from accounts.services import agency_create, agency_membership_add, agency_membership_remove
from agency_forms.models import FormAttachment, FormRequest, RequestStatus
from agency_forms.services import (
    form_request_reassign,
    form_request_return,
    form_request_submit,
    form_requests_send,
)
from cases.models import CaseState
from cases.services import case_schedule
from core.models import AccessEvent, OutboxEmail
from core.working_days import add_working_days
from tests.agency_forms.factories import answer_everything
from tests.cases.factories import make_case
from tests.conftest import make_user, sign_in, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(panel, system):
    return agency_create(
        name="Bedfordshire Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
    )


@pytest.fixture
def trust(panel, system):
    return agency_create(
        name="Luton and Dunstable Hospital",
        agency_type=AgencyType.ACUTE_TRUST,
        panels=[panel],
        by=system,
    )


def member(agency, name, system, role=AgencyRole.USER):
    user = make_user(f"{name}@example.org", by=system)
    agency_membership_add(user=user, agency=agency, role=role, by=system)
    return user


@pytest.fixture
def officer(police, system):
    return member(police, "officer", system)


@pytest.fixture
def case(panel, administrator):
    return make_case(panel, administrator, family_name="Zephyr", given_names="Ada")


client_of = signed_in_client


def ask(case, agencies, administrator, **kwargs):
    return form_requests_send(
        case=case, agencies=agencies, supplementary=[], by=administrator, **kwargs
    )


def test_my_requests_lists_only_the_agencys_own_with_days_left(
    case, police, trust, officer, administrator, system
):
    nurse = member(trust, "nurse", system)
    [asked_police, asked_trust] = ask(case, [police, trust], administrator)
    page = client_of(officer).get("/forms/requests/").content.decode()
    assert "Zephyr" in page
    assert case.number in page
    assert f"/forms/requests/{asked_police.pk}/" in page
    assert f"/forms/requests/{asked_trust.pk}/" not in page
    assert "15 working days left" in page
    # The other agency's request does not exist for the officer; the hospital sees its own.
    assert client_of(officer).get(f"/forms/requests/{asked_trust.pk}/").status_code == 404
    assert client_of(nurse).get(f"/forms/requests/{asked_trust.pk}/").status_code == 200
    assert AccessEvent.objects.filter(path="/forms/requests/", action="list").exists()


def test_the_officer_completes_the_form_from_the_cases_facts_and_submits_it_once(
    case, police, officer, administrator, django_capture_on_commit_callbacks
):
    [request] = ask(case, [police], administrator)
    client = client_of(officer)
    section_a = client.get(f"/forms/requests/{request.pk}/sections/A/").content.decode()
    assert 'value="Zephyr"' in section_a  # filled in from the case: nothing typed twice
    assert 'value="Ada"' in section_a
    response = client.post(
        f"/forms/requests/{request.pk}/sections/A/",
        {
            "version": 0,
            "a_family_name": "Zephyr",
            "a_gp_registered": "yes",
            "a_gp_registered__notes": "A brother, aged 4",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT
    assert request.answers["a_family_name"] == {"answer": "Zephyr"}
    assert request.answers["a_gp_registered"] == {"answer": "yes", "notes": "A brother, aged 4"}
    # Check your answers lists what is missing, and submission is refused until it is done.
    check = client.get(f"/forms/requests/{request.pk}/check/").content.decode()
    assert "not answered yet" in check
    response = client.post(f"/forms/requests/{request.pk}/check/", {"version": request.version})
    assert "Answer every question before you submit" in response.content.decode()
    request = answer_everything(request, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/forms/requests/{request.pk}/check/", {"version": request.version})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert request.submitted_at
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL  # the only form asked for is in
    # Read-only to the agency afterwards: the page shows the answers, writing is refused.
    page = client.get(f"/forms/requests/{request.pk}/").content.decode()
    assert "Print this form" in page
    assert "Answer to" in page
    assert client.get(f"/forms/requests/{request.pk}/sections/A/").status_code == 403
    again = client.post(f"/forms/requests/{request.pk}/check/", {"version": request.version})
    assert again.status_code == 403
    # The administrator is told on the home page, and reads the form from the case.
    admin = client_of(administrator)
    home = admin.get("/").content.decode()
    assert "Forms submitted in the last 14 days" in home
    assert case.number in home
    assert "Answer to" in admin.get(f"/forms/requests/{request.pk}/").content.decode()


def test_a_later_save_over_someone_elses_is_refused_and_keeps_what_was_typed(
    case, police, officer, administrator, system
):
    colleague = member(police, "colleague", system)
    [request] = ask(case, [police], administrator)
    url = f"/forms/requests/{request.pk}/sections/F/"
    first, second = client_of(officer), client_of(colleague)
    assert first.get(url).status_code == second.get(url).status_code == 200
    key = next(q["key"] for q in request.definition.sections[5]["questions"]
               if q["type"] == "narrative")  # fmt: skip
    assert first.post(url, {"version": 0, key: "The officer's account"}).status_code == 302
    response = second.post(url, {"version": 0, key: "The colleague's long account"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else at your agency saved this form after you opened it" in page
    assert "The colleague&#x27;s long account" in page  # nothing typed is lost
    request.refresh_from_db()
    assert request.answers[key] == {"answer": "The officer's account"}
    assert f'name="version" value="{request.version}"' in page  # the next save goes through
    response = second.post(url, {"version": request.version, key: "Both accounts, merged"})
    assert response.status_code == 302


def test_a_named_person_a_lead_and_people_who_leave_or_lose_the_form(
    case, police, officer, administrator, system
):
    lead = member(police, "lead", system, AgencyRole.LEAD)
    other = member(police, "other", system)
    [request] = ask(case, [police], administrator, named=officer)
    url = f"/forms/requests/{request.pk}/"
    assert client_of(officer).get(url).status_code == 200
    assert client_of(other).get(url).status_code == 404  # named to someone else
    assert client_of(lead).get(url).status_code == 200  # a lead sees all of the agency's
    emails = OutboxEmail.objects.filter(kind="form_requested")
    assert list(emails.values_list("to", flat=True)) == [officer.email]
    # The lead gives it to another: the officer loses it on the next request.
    page = client_of(lead).get(f"{url}reassign/").content.decode()
    assert other.email in page
    response = client_of(lead).post(f"{url}reassign/", {"person": other.pk})
    assert response.status_code == 302
    assert client_of(officer).get(url).status_code == 404
    assert client_of(other).get(url).status_code == 200
    # Leaving the agency ends the access at once, whatever the grant says.
    agency_membership_remove(membership=other.agency_memberships.get(), by=system)
    assert client_of(other).get(url).status_code == 404
    form_request_reassign(form_request=request, to=None, by=lead)  # back to the whole agency
    assert client_of(officer).get(url).status_code == 200


def test_the_administrator_returns_a_form_and_the_case_waits_for_it_again(
    case, police, officer, administrator, django_capture_on_commit_callbacks
):
    [request] = ask(case, [police], administrator)
    request = answer_everything(request, officer)
    form_request_submit(form_request=request, version=request.version, by=officer)
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL
    due = add_working_days(timezone.localdate(), 5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(administrator).post(
            f"/forms/requests/{request.pk}/return/",
            {
                "reason": "Section E misses the GP contacts",
                "due_on_0": due.day,
                "due_on_1": due.month,
                "due_on_2": due.year,
            },
        )
    assert response.status_code == 302
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == RequestStatus.RETURNED
    assert request.due_on == due
    assert request.ladder == 2  # a new ladder of reminders from the new date
    assert case.state == CaseState.INFORMATION_GATHERING
    page = client_of(officer).get(f"/forms/requests/{request.pk}/").content.decode()
    assert "Section E misses the GP contacts" in page
    assert "Complete the form" in page
    assert OutboxEmail.objects.filter(kind="form_returned", to=officer.email).exists()
    # Submitted again, and on an agenda: a second return warns instead of moving the case.
    form_request_submit(form_request=request, version=request.version, by=officer)
    case.refresh_from_db()
    case_schedule(case=case, by=administrator)
    request.refresh_from_db()
    _, warning = form_request_return(
        form_request=request, reason="One more thing", due_on=due, by=administrator
    )
    case.refresh_from_db()
    assert case.state == CaseState.SCHEDULED
    assert "agenda" in warning


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "must be a PDF"),
        ("picture.png", PNG + b"<html><script>alert(1)</script>", "must be a PDF"),  # polyglot
        ("empty.pdf", b"", "The selected file is empty"),
        ("big.pdf", PDF + b"0" * (1024 * 1024), "must be smaller than 1 MB"),
    ],
)
def test_it_refuses_files_that_are_not_what_they_claim_or_too_big(
    case, police, officer, administrator, settings, name, content, problem
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    from django.core.files.uploadedfile import SimpleUploadedFile

    [request] = ask(case, [police], administrator)
    response = client_of(officer).post(
        f"/forms/requests/{request.pk}/attachments/new/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not FormAttachment.objects.exists()


def test_a_file_is_kept_under_a_made_name_and_given_only_as_a_logged_download(
    case, police, officer, administrator, system
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    [request] = ask(case, [police], administrator)
    response = client_of(officer).post(
        f"/forms/requests/{request.pk}/attachments/new/",
        {
            "file": SimpleUploadedFile("..\\..\\etc\\report<script>.pdf", PDF),
            "description": "Ours",
        },
    )
    assert response.status_code == 302
    attachment = FormAttachment.objects.get()
    assert attachment.file_name == "report_script.pdf"
    download = client_of(officer).get(f"/forms/attachments/{attachment.pk}/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert AccessEvent.objects.filter(action="download", object_id=str(attachment.pk)).exists()
    # The panel sees a draft's files only once the form is submitted; another agency never.
    assert client_of(administrator).get(f"/forms/attachments/{attachment.pk}/").status_code == 404
    stranger = member(
        agency_create(name="Elsewhere", agency_type=AgencyType.POLICE, panels=[], by=system),
        "stranger",
        system,
    )
    assert client_of(stranger).get(f"/forms/attachments/{attachment.pk}/").status_code == 404


def test_the_outstanding_page_and_the_home_pages_count_by_agency(
    case, police, trust, officer, administrator, panel
):
    ask(case, [police, trust], administrator)
    second = make_case(panel, administrator, family_name="Second")
    ask(second, [police], administrator)
    late = FormRequest.objects.filter(case=second).get()
    late.due_on = date(2020, 1, 6)
    late.save()
    page = client_of(administrator).get("/forms/outstanding/").content.decode()
    assert "Bedfordshire Police" in page
    assert "Luton and Dunstable Hospital" in page
    assert "working days overdue" in page
    home = client_of(administrator).get("/").content.decode()
    assert "3 reporting form requests outstanding, 1 overdue" in home
    officer_home = client_of(officer).get("/").content.decode()
    assert "2 forms to complete" in officer_home
    assert "1 overdue" in officer_home


def test_my_requests_reads_a_fixed_number_of_queries_however_many_rows(
    case, police, officer, administrator, panel, django_assert_max_num_queries
):
    client = client_of(officer)
    ask(case, [police], administrator)
    client.get("/forms/requests/")  # the session's first request, and the process's caches
    with django_assert_max_num_queries(9):
        assert client.get("/forms/requests/").status_code == 200
    for n in range(30):
        ask(make_case(panel, administrator, family_name=f"Many{n}"), [police], administrator)
    with django_assert_max_num_queries(10):  # more than a page: the count is read too
        page = client.get("/forms/requests/").content.decode()
    assert "31 requests" in page
    assert page.count('href="/forms/requests/') >= 25  # a full page of them


def test_with_redis_down_an_agency_submits_a_form_and_nothing_is_lost(
    case, police, officer, administrator, redis_down
):
    [request] = ask(case, [police], administrator)
    request = answer_everything(request, officer)
    client = client_of(officer)
    response = client.post(f"/forms/requests/{request.pk}/check/", {"version": request.version})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    case.refresh_from_db()
    assert case.state == CaseState.READY_FOR_PANEL


class TestNoInputBreaksTheFormsSections(HypothesisTestCase):
    """Whatever an agency types into a section, the answer is a page (saved, or shown again
    with what is wrong), never a 500; what is saved reads back as it was typed."""

    @classmethod
    def setUpTestData(cls):
        from core.history import system_user
        from panels.services import panel_setup

        system = system_user()
        panel = panel_setup(code="BEDS", name="Bedfordshire CDOP", areas=["Luton"], by=system).panel
        admin = make_user("admin@example.org", by=system)
        from accounts.models import PanelRole
        from accounts.services import panel_membership_add

        panel_membership_add(user=admin, panel=panel, role=PanelRole.ADMINISTRATOR, by=system)
        police = agency_create(
            name="Police", agency_type=AgencyType.POLICE, panels=[panel], by=system
        )
        cls.officer = member(police, "officer", system)
        [cls.request] = form_requests_send(
            case=make_case(panel, admin), agencies=[police], supplementary=[], by=admin
        )

    @hypothesis_settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        section=st.sampled_from(["A", "B", "C", "D", "E", "F"]),
        data=st.dictionaries(
            st.sampled_from(
                ["a_family_name", "a_date_of_birth_0", "a_date_of_birth_1", "a_date_of_birth_2",
                 "a_gp_registered", "c_maternal_bmi", "c_housing", "c_housing__notes",
                 "f_circumstances", "version"]
            ),
            st.text(max_size=40),
        ),
    )  # fmt: skip
    def test_a_section(self, section, data):
        sign_in(self.client, self.officer)
        self.request.refresh_from_db()
        data = {"version": str(self.request.version), **data}
        response = self.client.post(f"/forms/requests/{self.request.pk}/sections/{section}/", data)
        assert response.status_code in (200, 302)
