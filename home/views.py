"""The home page of each role: what sits above every domain app and composes them."""

from dateutil.relativedelta import relativedelta
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access_log import record_access
from accounts.selectors import agency_roles_of, panel_roles_of, roles_of
from agency_forms.models import FormRequest
from agency_forms.selectors import administrator_form_counts, my_request_counts
from cases.models import Case, CaseState
from cases.permissions import cases_visible_to
from cases.selectors import case_counts, triage_queue_for
from core.models import AccessAction
from meetings.selectors import agenda_of, meetings_for_home
from rapid_response.clock import cases_missing_planning
from rapid_response.models import RapidResponseEpisode
from rapid_response.selectors import my_actions, my_episodes


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    panel_roles = panel_roles_of(user)
    agency_roles = agency_roles_of(user)
    work = administrator_work(request) if "administrator" in panel_roles else None
    episodes = my_episodes(user) if user.is_active and not user.is_staff else []
    if episodes:
        record_access(
            request,
            action=AccessAction.LIST,
            model=RapidResponseEpisode,
            object_ids=[e.pk for e in episodes],
            detail="rapid responses of the user's teams",
        )
    meetings, agenda = _meetings(request, panel_roles)
    return render(
        request,
        "home/home.html",
        {
            "meetings": meetings,
            "next_agenda": agenda,
            "work": work,
            "episodes": episodes,
            "actions": my_actions(user) if episodes or work else [],
            "roles": roles_of(user),
            "is_administrator": "administrator" in panel_roles,
            "is_chair": "chair" in panel_roles,
            "is_member": "member" in panel_roles,
            "is_manager": "manager" in panel_roles,
            "is_agency_user": bool(agency_roles),
            "my_requests": my_request_counts(user, timezone.localdate()) if agency_roles else None,
            "is_agency_lead": "lead" in agency_roles,
            "is_system_administrator": user.is_staff,
        },
    )


def _meetings(request: HttpRequest, panel_roles) -> tuple[list, list]:
    """The next meetings of an administrator, chair or member; for a chair, the agenda of the
    next one (case numbers and times: the papers are a click away)."""
    if not {"administrator", "chair", "member"} & set(panel_roles):
        return [], []
    meetings = meetings_for_home(request.user)
    agenda = []
    if meetings and "chair" in panel_roles:
        agenda = agenda_of(meetings[0], request.user)
        if agenda:
            record_access(
                request,
                action=AccessAction.LIST,
                model=Case,
                object_ids=[i.case_id for i in agenda],
                detail="agenda",
            )
    return meetings, agenda


def administrator_work(request: HttpRequest) -> dict:
    """The administrator's day: triage, cases by stage, the oldest open cases."""
    user = request.user
    waiting = triage_queue_for(user).select_related(None).count()
    oldest = list(
        cases_visible_to(user)
        .exclude(state=CaseState.CLOSED)
        .select_related("area")
        .order_by("date_of_death")[:5]
    )
    today = timezone.localdate()
    for case in oldest:
        delta = relativedelta(today, case.date_of_death)
        case.months_since_death = delta.years * 12 + delta.months
    if oldest:
        record_access(
            request, action=AccessAction.LIST, model=Case, object_ids=[c.pk for c in oldest]
        )
    counts = case_counts(user, today=today)
    forms = administrator_form_counts(user, today)
    if forms["submitted"]:
        record_access(
            request,
            action=AccessAction.LIST,
            model=FormRequest,
            object_ids=[r.pk for r in forms["submitted"]],
            detail="forms submitted lately",
        )
    return {
        "planning_missed": cases_missing_planning(
            cases_visible_to(user), today, unplanned_only=True
        ),
        "forms": forms,
        "waiting": waiting,
        "counts": [(label, counts.by_state[value], value) for value, label in CaseState.choices],
        "oldest": oldest,
        "at_risk": counts.at_risk,
    }
