"""Reads of panel meetings and their papers, each for a user (the policy in permissions.py).

The papers are pseudonymised: a case is its number, age band, sex, area, death type, the
category so far and the rapid response outcome, never a name, an address, an NHS number or a
date of birth; an agency's answers that its form's definition marks as identifying are
withheld, and a narrative answer enters the papers only as the administrator redacted it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import PanelMembership, User
from agency_forms.models import FormRequest, RequestStatus
from agency_forms.selectors import answer_in_words
from cases.models import Case, CaseState
from meetings.models import (
    AgendaItem,
    Declaration,
    Invitation,
    Meeting,
    MeetingStatus,
    Outcome,
    Reveal,
)
from meetings.permissions import (
    READERS,
    items_readable_by,
    may_prepare_meeting,
    meetings_visible_to,
)
from panels.models import Analysis

NARRATIVE = ("text",)  # question types whose answer is free text


def get_meeting_for_user(user: User, pk: int) -> Meeting:
    meeting = meetings_visible_to(user).select_related("panel").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def meetings_of(user: User) -> tuple[list[Meeting], list[Meeting]]:
    """The user's meetings to come (soonest first) and the latest 20 held or cancelled."""
    meetings = (
        meetings_visible_to(user)
        .select_related("panel")
        .annotate(cases=Count("items"))
        .order_by("starts_at", "pk")
    )
    coming = list(meetings.filter(status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS]))
    past = list(
        meetings.exclude(status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS]).order_by(
            "-starts_at", "-pk"
        )[:20]
    )
    return coming, past


def agenda_of(meeting: Meeting, user: User) -> list[AgendaItem]:
    """The agenda in order, each case with what the agenda shows of it (pseudonymised), and
    whether the user may open its papers."""
    readable = items_readable_by(user, meeting).filter(pk=OuterRef("pk"))
    return list(
        meeting.items.select_related("case", "case__sex", "case__area")
        .prefetch_related(
            Prefetch("declarations", queryset=Declaration.objects.select_related("user"))
        )
        .annotate(
            readable=Exists(readable),
            declared=Exists(Declaration.objects.filter(item=OuterRef("pk"), user=user)),
        )
        .order_by("position", "pk")
    )


def get_item_for_user(user: User, pk: int) -> AgendaItem:
    """One agenda case whose papers the user may read now (404 otherwise: another panel's,
    a meeting they are not invited to, outside the window, or a declared interest)."""
    item = (
        AgendaItem.objects.filter(pk=pk, meeting__in=meetings_visible_to(user))
        .select_related("meeting", "meeting__panel")
        .first()
    )
    if item is None:
        raise Http404("No such case on an agenda")
    found = (
        items_readable_by(user, item.meeting)
        .select_related("case", "case__sex", "case__area", "case__place_of_death", "case__panel")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such case on an agenda")
    found.meeting = item.meeting
    return found


def get_invitation_for_user(user: User, pk: int) -> Invitation:
    invitation = (
        Invitation.objects.filter(pk=pk, meeting__in=meetings_visible_to(user))
        .select_related("meeting", "user")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def revealed_to(user: User, item: AgendaItem) -> Reveal | None:
    """The chair's reveal of this case, if they made one."""
    return Reveal.objects.filter(item=item, by=user).order_by("-at").first()


def invitations_of(meeting: Meeting) -> list[Invitation]:
    return list(meeting.invitations.select_related("user").order_by("user__full_name", "pk"))


def invitable_people(meeting: Meeting) -> QuerySet[User]:
    """The panel's active chairs and members not yet invited."""
    return (
        User.objects.filter(
            is_active=True,
            pk__in=PanelMembership.objects.filter(
                panel_id=meeting.panel_id, role__in=READERS
            ).values("user"),
        )
        .exclude(pk__in=meeting.invitations.values("user"))
        .order_by("full_name", "pk")
    )


READY_SHOWN = 50


def ready_cases_of(meeting: Meeting) -> QuerySet[Case]:
    """The panel's cases that may go on the agenda."""
    return Case.objects.filter(panel_id=meeting.panel_id, state=CaseState.READY_FOR_PANEL)


def cases_ready_for(meeting: Meeting) -> tuple[list[Case], int]:
    """The panel's cases ready for panel (new and deferred), the longest since death first
    (the 12-month target), at most READY_SHOWN of them, and how many there are."""
    ready = ready_cases_of(meeting)
    deferred = AgendaItem.objects.filter(case=OuterRef("pk"), outcome=Outcome.DEFERRED)
    shown = list(
        ready.select_related("area")
        .annotate(was_deferred=Exists(deferred))
        .order_by("date_of_death", "number")[:READY_SHOWN]
    )
    return shown, ready.count() if len(shown) == READY_SHOWN else len(shown)


# --- The papers -------------------------------------------------------------------------------


@dataclass
class PaperAnswer:
    question: str
    answer: str  # in words, or why it is not shown
    notes: str
    withheld: bool


def _analysis_of(case: Case) -> Analysis | None:
    return (
        Analysis.objects.filter(case=case)
        .select_related("primary_category")
        .prefetch_related("contributing_categories", "factors__factor", "actions")
        .first()
    )


def paper_summary(item: AgendaItem) -> dict:
    """The pseudonymised summary of one agenda case."""
    case = item.case
    analysis = _analysis_of(case)
    episode = getattr(case, "rapid_response_episode", None)
    deferred = list(
        AgendaItem.objects.filter(case=case, outcome=Outcome.DEFERRED)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    return {
        "number": case.number,
        "age_band": case.age_band_at_death,
        "sex": case.sex.label,
        "area": case.area.name,
        "death_type": case.get_death_type_display(),
        "place_of_death": case.place_of_death.label,
        "months_since_death": case.months_since_death(timezone.localdate()),
        "category": analysis.primary_category if analysis else None,
        "rapid_response": episode.outcome if episode and episode.outcome else "",
        "rapid_response_held": episode is not None or case.rapid_response_held,
        "deferred": deferred,
    }


def paper_forms(item: AgendaItem, *, identifiable: bool = False) -> list[tuple[FormRequest, list]]:
    """The case's submitted reporting forms, each as its sections of answers: identifying
    answers withheld and narrative answers as redacted (`identifiable`: as written, for the
    administrators, or the chair after a recorded reveal)."""
    requests = (
        FormRequest.objects.filter(case=item.case, status=RequestStatus.SUBMITTED)
        .select_related("agency", "definition")
        .prefetch_related(Prefetch("redactions"))
        .order_by("agency__name", "kind")
    )
    papers = []
    for form_request in requests:
        redacted = {r.question_key: r for r in form_request.redactions.all()}
        sections = []
        for section in form_request.definition.sections:
            rows = []
            for question in section["questions"]:
                stored = form_request.answers.get(question["key"]) or {}
                rows.append(_paper_answer(question, stored, redacted, identifiable))
            sections.append((section["title"], rows))
        papers.append((form_request, sections))
    return papers


WITHHELD = "Withheld: identifies a person"
AWAITING = "Not shown until the administrator has redacted it"


def _paper_answer(question: dict, stored: dict, redacted: dict, identifiable: bool) -> PaperAnswer:
    answer = answer_in_words(question, stored.get("answer", ""))
    notes = stored.get("notes", "")
    if identifiable:
        return PaperAnswer(question["text"], answer, notes, False)
    if question["identifying"]:
        return PaperAnswer(question["text"], WITHHELD if answer or notes else "", "", True)
    redaction = redacted.get(question["key"])
    if question["type"] in NARRATIVE:
        answer = redaction.text if redaction else (AWAITING if answer else "")
        return PaperAnswer(question["text"], answer, "", redaction is None and bool(answer))
    if notes:
        notes = redaction.text if redaction else AWAITING
    return PaperAnswer(question["text"], answer, notes, False)


def analysis_of(item: AgendaItem) -> Analysis | None:
    return _analysis_of(item.case)


def meetings_for_home(user: User) -> list[Meeting]:
    """The user's next meetings (at most 3), with their agenda sizes."""
    return list(
        meetings_visible_to(user)
        .filter(
            status__in=[MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS],
            starts_at__gte=timezone.now() - timedelta(days=1),
        )
        .select_related("panel")
        .annotate(cases=Count("items", filter=Q(items__outcome=Outcome.PENDING)))
        .order_by("starts_at", "pk")[:3]
    )


def is_preparer(user: User, meeting: Meeting) -> bool:
    return may_prepare_meeting(user, meeting)


# --- Redaction ----------------------------------------------------------------------------------


@dataclass
class Narrative:
    key: str
    question: str
    original: str
    redacted: str | None


def narratives_of(form_request: FormRequest) -> list[Narrative]:
    """The free-text answers of a submitted form that the papers show only as redacted: the
    text answers and the details given with other answers (identifying questions are withheld
    from the papers whatever is written)."""
    redacted = {r.question_key: r.text for r in form_request.redactions.all()}
    found = []
    for _section, question in form_request.definition.questions():
        if question["identifying"]:
            continue
        stored = form_request.answers.get(question["key"]) or {}
        text = (
            stored.get("answer", "") if question["type"] in NARRATIVE else stored.get("notes", "")
        )
        if text.strip():
            found.append(
                Narrative(question["key"], question["text"], text, redacted.get(question["key"]))
            )
    return found


def get_submitted_form_for_user(user: User, pk: int) -> FormRequest:
    """A submitted form of a case the user administers (404 otherwise)."""
    from agency_forms.permissions import form_requests_administered_by

    found = (
        form_requests_administered_by(user)
        .filter(pk=pk, status=RequestStatus.SUBMITTED)
        .select_related("case", "agency", "definition")
        .first()
    )
    if found is None:
        raise Http404("No such submitted form")
    return found


# --- Minutes and actions ----------------------------------------------------------------------


def minutes_of(meeting: Meeting) -> dict:
    """What the panel recorded, pseudonymised: who came, the declarations, each case's outcome
    with its analysis and actions."""
    invitations = invitations_of(meeting)
    items = list(
        meeting.items.select_related(
            "case", "case__sex", "case__area", "case__analysis__primary_category"
        )
        .prefetch_related(
            "case__analysis__actions",
            "case__analysis__factors__factor",
            Prefetch("declarations", queryset=Declaration.objects.select_related("user")),
        )
        .order_by("position", "pk")
    )
    return {
        "present": [i for i in invitations if i.attendance == "present"],
        "apologies": [i for i in invitations if i.attendance == "apologies"],
        "absent": [i for i in invitations if i.attendance == "absent"],
        "items": items,
    }


def actions_of(user: User, *, show: str) -> QuerySet:
    """The panel's actions across its cases (open ones first, soonest due), for the tracker."""
    from cases.permissions import cases_visible_to
    from panels.models import AnalysisAction

    actions = AnalysisAction.objects.filter(analysis__case__in=cases_visible_to(user))
    if show != "all":
        actions = actions.filter(done=False)
    return actions.select_related("analysis__case").order_by("done", "due_date", "pk")


def get_action_for_user(user: User, pk: int):
    action = actions_of(user, show="all").filter(pk=pk).first()
    if action is None:
        raise Http404("No such action")
    return action


def papers_pack_of(meeting: Meeting, user: User) -> list[AgendaItem]:
    return list(
        items_readable_by(user, meeting)
        .select_related("case", "case__sex", "case__area", "case__place_of_death", "case__panel")
        .order_by("position", "pk")
    )


def follow_ups_of(user: User) -> list:
    """The follow-ups of the cases the user administers: those to send first, newest first."""
    from cases.permissions import cases_visible_to
    from meetings.models import FollowUp

    return list(
        FollowUp.objects.filter(case__in=cases_visible_to(user))
        .select_related("case", "rule", "rule__factor", "sent_by")
        .order_by("sent_at", "-created_at", "pk")[:200]
    )


def get_follow_up_for_user(user: User, pk: int):
    from cases.permissions import cases_visible_to
    from meetings.models import FollowUp

    found = (
        FollowUp.objects.filter(pk=pk, case__in=cases_visible_to(user))
        .select_related("case", "case__panel", "rule")
        .first()
    )
    if found is None:
        raise Http404("No such follow-up")
    return found


def digests_of(user: User) -> list:
    from accounts.permissions import panel_ids_where
    from cases.permissions import CASE_WORKERS
    from meetings.models import LearningDigest

    panels = panel_ids_where(user, *CASE_WORKERS)
    return list(LearningDigest.objects.filter(panel_id__in=panels).select_related("panel")[:50])


def get_digest_for_user(user: User, pk: int):
    from accounts.permissions import panel_ids_where
    from cases.permissions import CASE_WORKERS
    from meetings.models import LearningDigest

    panels = panel_ids_where(user, *CASE_WORKERS)
    found = (
        LearningDigest.objects.filter(pk=pk, panel_id__in=panels).select_related("panel").first()
    )
    if found is None:
        raise Http404("No such digest")
    return found


def invited_people(invitations: list[Invitation]) -> QuerySet[User]:
    """The people invited, by name: who may declare an interest."""
    return User.objects.filter(pk__in=[i.user_id for i in invitations]).order_by("full_name")


def analysis_factors() -> list:
    """The catalogue's factors the analysis form offers, in the catalogue's order."""
    from panels.models import Factor

    return list(Factor.objects.filter(is_active=True).order_by("sort_order", "code"))
