"""Reads of the form definitions (the questions: no case data, open to every signed-in person)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from agency_forms.models import (
    OUTSTANDING,
    FormAttachment,
    FormDefinition,
    FormKind,
    FormReminder,
    FormRequest,
    RequestStatus,
)
from agency_forms.permissions import (
    form_requests_administered_by,
    form_requests_of_agencies,
    form_requests_visible_to,
    grants_of,
)
from cases.models import CaseState
from core.working_days import due_in_words

TYPE_LABELS = {
    "yes_no": "Yes, no, not known or not applicable, with notes",
    "text": "Short text",
    "narrative": "Narrative",
    "number": "Number",
    "date": "Date",
    "choice": "One of a list",
}
PREFILL_LABELS = {
    "family_name": "the child's family name",
    "given_names": "the child's given names",
    "date_of_birth": "the child's date of birth",
    "date_of_death": "the date of death",
    "sex": "the child's sex",
    "nhs_number": "the NHS number",
    "place_of_death": "the place of death",
    "address": "the child's address",
}


def form_definitions() -> list[FormDefinition]:
    """Every version of every form, the reporting form first, newest version first."""
    order = {kind: n for n, kind in enumerate(FormKind.values)}
    return sorted(FormDefinition.objects.all(), key=lambda d: (order[d.kind], -d.version))


def answer_described(question: dict) -> str:
    """What an answer to the question is, in words: its type, and its options or unit."""
    kind = question["type"]
    if kind == "choice":
        return "One of: " + "; ".join(option["label"] for option in question["options"])
    if kind == "number":
        places = question.get("decimal_places", 0)
        return f"Number of {question['unit']}, {question['min']} to {question['max']}" + (
            f", {places} decimal place{'s' if places > 1 else ''}" if places else ""
        )
    return TYPE_LABELS[kind]


DICTIONARY_COLUMNS = [
    "form",
    "version",
    "section",
    "section_title",
    "question_key",
    "question",
    "type",
    "answer",
    "identifying",
    "prefilled_from",
]


def data_dictionary_rows() -> Iterator[list[object]]:
    """One row per question of every version of every form (the data dictionary's CSV)."""
    for definition in form_definitions():
        for section, question in definition.questions():
            yield [
                definition.kind,
                definition.version,
                section["key"],
                section["title"],
                question["key"],
                question["text"],
                question["type"],
                answer_described(question),
                "yes" if question["identifying"] else "no",
                question.get("prefill", ""),
            ]


# --- Requests ------------------------------------------------------------------------------


def _with_named(requests: QuerySet[FormRequest]) -> QuerySet[FormRequest]:
    """Each request with the name of the person it names (one subquery, not one per row)."""
    return requests.annotate(named_name=Subquery(grants_of().values("user__full_name")[:1]))


def _reminders_sent() -> Coalesce:
    """How many reminders a request was sent, counted per row (a GROUP BY over every row of a
    list would read the whole list before its first page)."""
    counted = (
        FormReminder.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def get_form_request_for_user(user: User, pk: int) -> FormRequest:
    """One request the user may open, with what its pages show; 404 otherwise."""
    found = (
        _with_named(form_requests_visible_to(user))
        .select_related(
            "case", "case__panel", "case__sex", "case__place_of_death", "agency", "definition"
        )
        .annotate(reminders_sent=_reminders_sent())
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def attachments_of(form_request: FormRequest) -> list[FormAttachment]:
    return list(
        form_request.attachments.defer("content").select_related("uploaded_by").order_by("pk")
    )


def get_attachment_for_user(user: User, pk: int) -> FormAttachment:
    found = (
        FormAttachment.objects.filter(pk=pk, request__in=form_requests_visible_to(user))
        .select_related("request")
        .first()
    )
    if found is None:
        raise Http404("No such file")
    return found


MY_TABS = {
    "to-complete": ("To complete", Q(status__in=OUTSTANDING)),
    "submitted": ("Submitted", Q(status=RequestStatus.SUBMITTED)),
    "all": ("All", Q()),
}


def my_requests(user: User, tab: str) -> QuerySet[FormRequest]:
    """ "My requests": what the user's agencies were asked, soonest due first (submitted ones
    newest first)."""
    requests = form_requests_of_agencies(user).filter(MY_TABS[tab][1])
    order = ["due_on", "pk"] if tab == "to-complete" else ["-due_on", "-pk"]
    return (
        _with_named(requests)
        .select_related("case", "agency")
        .only(
            "pk",
            "kind",
            "status",
            "due_on",
            "sent_on",
            "submitted_at",
            "agency__name",
            "case__number",
            "case__family_name",
            "case__given_names",
            "case__date_of_birth",
        )
        .order_by(*order)
    )


def my_requests_counted(user: User, tab: str) -> QuerySet[FormRequest]:
    """The rows of "My requests" alone, for its count."""
    return form_requests_of_agencies(user).filter(MY_TABS[tab][1])


def my_request_counts(user: User, today: date) -> dict[str, int]:
    """To complete and overdue, for the agency user's home page (one query)."""
    return (
        form_requests_of_agencies(user)
        .filter(status__in=OUTSTANDING)
        .aggregate(to_complete=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )


def _outstanding(user: User) -> QuerySet[FormRequest]:
    """The requests still with an agency, of the open cases the user administers (joined with
    the open cases alone: a panel's history holds many times more)."""
    return (
        form_requests_administered_by(user)
        .filter(status__in=OUTSTANDING)
        .exclude(case__state=CaseState.CLOSED)
    )


def outstanding_requests(
    user: User, agency_id: int | None = None, *, counted: bool = False
) -> QuerySet[FormRequest]:
    """Every request still with an agency, across the user's cases, most overdue first
    (`counted`: the rows alone, for the page's count)."""
    requests = _outstanding(user)
    if agency_id:
        requests = requests.filter(agency_id=agency_id)
    if counted:
        return requests
    return (
        requests.select_related("case", "agency")
        .annotate(reminders_sent=_reminders_sent())
        .only("pk", "kind", "status", "due_on", "sent_on", "agency__name", "case__number")
        .order_by("due_on", "pk")
    )


@dataclass
class AgencyOutstanding:
    agency_id: int
    name: str
    outstanding: int
    overdue: int
    oldest_due: date


def outstanding_by_agency(user: User, today: date) -> list[AgencyOutstanding]:
    rows = (
        _outstanding(user)
        .values("agency_id", "agency__name")
        .annotate(
            outstanding=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            oldest_due=Min("due_on"),
        )
        .order_by("-overdue", "agency__name")
    )
    return [
        AgencyOutstanding(
            r["agency_id"], r["agency__name"], r["outstanding"], r["overdue"], r["oldest_due"]
        )
        for r in rows
    ]


def administrator_form_counts(user: User, today: date) -> dict:
    """Requests outstanding and overdue across the administrator's cases, and the forms
    submitted in the last 14 days (newest first), for the home page."""
    administered = form_requests_administered_by(user)
    counts = _outstanding(user).aggregate(
        outstanding=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    since = timezone.now() - timedelta(days=14)
    counts["submitted"] = list(
        administered.filter(status=RequestStatus.SUBMITTED, submitted_at__gte=since)
        .select_related("case", "agency")
        .only("pk", "kind", "submitted_at", "agency__name", "case__number", "case_id")
        .order_by("-submitted_at")[:10]
    )
    return counts


def when_due(form_request: FormRequest, today: date) -> str:
    """How long is left or how late it is, for a request still with the agency."""
    return due_in_words(today, form_request.due_on) if form_request.is_with_agency else ""


def prefill_facts(form_request: FormRequest) -> dict:
    """What the case already knows, for the questions that say so: the agency never types
    the child's details again. (The request's selector read the case with its labels.)"""
    case = form_request.case
    notification = (
        case.notifications.exclude(address="")
        .only("address", "postcode")
        .order_by("received_at", "pk")
        .first()
    )
    address = ""
    if notification is not None:
        address = ", ".join(p for p in (notification.address, notification.postcode) if p)
    return {
        "family_name": case.family_name,
        "given_names": case.given_names,
        "date_of_birth": case.date_of_birth,
        "date_of_death": case.date_of_death,
        "sex": case.sex.label,
        "nhs_number": case.nhs_number,
        "place_of_death": case.place_of_death.label,
        "address": address,
    }


def section_states(form_request: FormRequest) -> list[tuple[dict, str]]:
    """Each section with "Completed", "In progress" or "Not started", for the task list."""
    answers = form_request.answers
    states = []
    for section in form_request.definition.sections:
        questions = section["questions"]
        answered = [q for q in questions if (answers.get(q["key"]) or {}).get("answer")]
        needed = [q for q in questions if q["type"] in ("yes_no", "choice")]
        needed_answered = [q for q in needed if q in answered]
        if not answered:
            state = "Not started"
        elif len(needed_answered) == len(needed):
            state = "Completed"
        else:
            state = "In progress"
        states.append((section, state))
    return states


def answers_shown(form_request: FormRequest) -> list[tuple[dict, list[tuple[dict, str, str]]]]:
    """Each section with (question, answer in words, details) as the version asked them."""
    answers = form_request.answers
    shown = []
    for section in form_request.definition.sections:
        rows = []
        for question in section["questions"]:
            stored = answers.get(question["key"]) or {}
            rows.append(
                (
                    question,
                    answer_in_words(question, stored.get("answer", "")),
                    stored.get("notes", ""),
                )
            )
        shown.append((section, rows))
    return shown


YES_NO_WORDS = {
    "yes": "Yes",
    "no": "No",
    "not_known": "Not known",
    "not_applicable": "Not applicable",
}


def answer_in_words(question: dict, answer: str) -> str:
    if not answer:
        return ""
    if question["type"] == "yes_no":
        return YES_NO_WORDS.get(answer, answer)
    if question["type"] == "choice":
        return next((o["label"] for o in question["options"] if o["value"] == answer), answer)
    if question["type"] == "date":
        try:
            return date.fromisoformat(answer).strftime("%-d %B %Y")
        except ValueError:
            return answer
    if question["type"] == "number":
        return f"{answer} {question.get('unit', '')}".strip()
    return answer


def involved_agencies_of(case) -> list[int]:
    """The panel's agencies the case's notifications name as involved."""
    named = set()
    for ids in case.notifications.values_list("involved_agencies", flat=True):
        named.update(ids or [])
    return sorted(named)
