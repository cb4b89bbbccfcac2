"""Writes to notifications and cases: one service per action, each recording who acted.

Every state change of a case goes through `_transition`, which locks the row, checks the
allowed source states and writes a timeline event. Every change to a case writes an event on
its timeline, and every triage decision one on its notification's: the timelines are also how
a re-import knows a case was changed in the application (`cases.importer`).
Pages, the Django admin, the import, commands and demo data all call these services.
"""

import collections
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.selectors import panel_administrator_emails
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseNote,
    CaseNumberCounter,
    CaseState,
    Notification,
    NotificationEvent,
    NotificationEventKind,
    NotificationSource,
    RelatedProcess,
    Transfer,
    TransferStatus,
    TriageStatus,
)
from cases.validators import search_text
from core.bulk import create_with_history
from core.history import save_with_actor
from core.outbox import email_queue
from panels.models import (
    ActionLevel,
    Analysis,
    AnalysisAction,
    AnalysisFactor,
    Area,
    Factor,
    ModifiableDecision,
    Panel,
)

# Which states each transition may start from (domain.md §2).
OPEN_STATES = {
    CaseState.NOTIFIED,
    CaseState.INFORMATION_GATHERING,
    CaseState.READY_FOR_PANEL,
    CaseState.SCHEDULED,
}


class TransitionError(ValidationError):
    """The case is not in a state this action can start from."""


def _event(
    case: Case,
    *,
    kind: CaseEventKind,
    by: User,
    from_state: str = "",
    to_state: str = "",
    detail: str = "",
) -> CaseEvent:
    event = CaseEvent(
        case=case, kind=kind, by=by, from_state=from_state, to_state=to_state, detail=detail[:500]
    )
    save_with_actor(event, by=by)
    return event


def case_record_event(*, case: Case, kind: CaseEventKind, detail: str, by: User) -> CaseEvent:
    """A line on the case's timeline written by an app above the case (a rapid response)."""
    return _event(case, kind=kind, by=by, detail=detail)


def _notification_event(
    notification: Notification, *, kind: NotificationEventKind, by: User, detail: str = ""
) -> NotificationEvent:
    event = NotificationEvent(notification=notification, kind=kind, by=by, detail=detail[:500])
    save_with_actor(event, by=by)
    return event


def case_number_next(*, panel: Panel, year: int) -> str:
    """`<PANEL>-<YYYY>-<NNNN>`; the counter row is locked, so numbers are never given twice."""
    [number] = _reserve_numbers(panel, [year])
    return number


def notification_reference_new() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone
    while True:
        reference = "N" + "".join(secrets.choice(alphabet) for _ in range(7))
        if not Notification.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def notification_record(
    *, panel: Panel, source: str, fields: dict, by: User, held: bool = False
) -> Notification:
    notification = Notification(
        panel=panel,
        source=source,
        reference=notification_reference_new(),
        triage_status=TriageStatus.HELD if held else TriageStatus.NEW,
        **fields,
    )
    notification.full_clean()
    save_with_actor(notification, by=by, reason=f"notification received ({source})")
    _notification_event(notification, kind=NotificationEventKind.RECEIVED, by=by)
    if held:
        _notification_event(notification, kind=NotificationEventKind.HELD, by=by)
    return notification


EDITABLE_TRIAGE = {TriageStatus.NEW, TriageStatus.HELD}


def notification_is_editable(notification: Notification) -> bool:
    """Until a case is opened from it or it joins one (or it is discarded)."""
    return notification.triage_status in EDITABLE_TRIAGE


@transaction.atomic
def notification_update(*, notification: Notification, fields: dict, by: User) -> Notification:
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if not notification_is_editable(notification):
        raise TransitionError("This notification can no longer be changed: change the case instead")
    fields = {k: v for k, v in fields.items() if k != "website"}
    area = fields.get("area", notification.area)
    if area is not None and area.panel_id != notification.panel_id:
        raise ValidationError({"area": "Choose an area of the notification's panel"})
    changed = [name for name, value in fields.items() if getattr(notification, name) != value]
    if not changed:
        return notification
    for name in changed:
        setattr(notification, name, fields[name])
    notification.full_clean()
    save_with_actor(notification, by=by, reason="changed")
    labels = ", ".join(str(Notification._meta.get_field(n).verbose_name) for n in changed)
    _notification_event(
        notification, kind=NotificationEventKind.CHANGED, by=by, detail=f"Changed: {labels}"
    )
    return notification


@transaction.atomic
def notification_receive_public(
    *, panel: Panel, fields: dict, by: User, held: bool = False
) -> Notification:
    """From the public page. The panel's administrators get an email with a link (never the
    child's details), in the same transaction; one the robot trap caught waits, unannounced,
    for them to review."""
    notification = notification_record(
        panel=panel, source=NotificationSource.PUBLIC_FORM, fields=fields, by=by, held=held
    )
    if held:
        return notification
    link = f"{settings.SITE_URL}{reverse('cases:notification_detail', args=[notification.pk])}"
    for address in panel_administrator_emails(panel):
        email_queue(
            key=f"public-notification:{notification.pk}:{address}",
            kind="public_notification",
            panel=panel,
            to=address,
            subject="A child death has been notified to the panel",
            body=(
                f"A professional has notified a child death to {panel.name} through the "
                f"public form (reference {notification.reference}).\n\nSign in to see it "
                f"in the triage queue:\n{link}\n"
            ),
        )
    return notification


def _decide_held(
    notification: Notification, *, to: TriageStatus, kind: NotificationEventKind, by: User
) -> Notification:
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.triage_status != TriageStatus.HELD:
        raise TransitionError("Only a submission held for review can be released or discarded")
    notification.triage_status = to
    save_with_actor(notification, by=by, reason=kind.label.lower())
    _notification_event(notification, kind=kind, by=by)
    return notification


@transaction.atomic
def notification_release(*, notification: Notification, by: User) -> Notification:
    """A held submission was a person after all: it joins triage."""
    return _decide_held(
        notification, to=TriageStatus.NEW, kind=NotificationEventKind.RELEASED, by=by
    )


@transaction.atomic
def notification_discard(*, notification: Notification, by: User) -> Notification:
    """A held submission that is not a notification: kept, marked as discarded."""
    return _decide_held(
        notification, to=TriageStatus.DISCARDED, kind=NotificationEventKind.DISCARDED, by=by
    )


CHILD_FIELDS = [
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "ethnicity",
    "area",
    "ward",
    "date_of_death",
    "place_of_death",
    "death_type",
]


def _check_place(panel: Panel, area: Area | None, ward) -> None:
    if area is None or area.panel_id != panel.pk:
        raise ValidationError({"area": "Choose an area of the case's panel"})
    if ward is not None and ward.area_id != area.pk:
        raise ValidationError({"ward": "Choose a ward of the chosen area"})


@transaction.atomic
def case_create(
    *,
    panel: Panel,
    date_notified: date,
    by: User,
    legacy_reference: str = "",
    detail: str = "",
    **fields,
) -> Case:
    """A new open case with its number. From triage (`case_open`) or from a panel's history
    (the import, which passes `legacy_reference`): the same checks, the same first event."""
    _check_place(panel, fields.get("area"), fields.get("ward"))
    case = Case(
        panel=panel,
        number=case_number_next(panel=panel, year=date_notified.year),
        date_notified=date_notified,
        legacy_reference=legacy_reference,
        **fields,
    )
    case.search_name = search_text(f"{case.family_name} {case.given_names}")
    save_with_actor(case, by=by, reason="imported" if legacy_reference else "case opened")
    _event(
        case,
        kind=CaseEventKind.IMPORTED if legacy_reference else CaseEventKind.OPENED,
        by=by,
        to_state=case.state,
        detail=detail,
    )
    return case


@transaction.atomic
def case_open(*, notification: Notification, by: User) -> Case:
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.triage_status != TriageStatus.NEW:
        raise TransitionError("This notification has already been dealt with")
    if _open_transfer(notification=notification):
        raise TransitionError("This notification is offered to another panel")
    if notification.area is None:
        raise ValidationError({"area": "Choose the area the child lived in before opening a case"})
    case = case_create(
        panel=notification.panel,
        date_notified=notification.notified_on,
        by=by,
        detail=f"From notification {notification.reference}",
        **{name: getattr(notification, name) for name in CHILD_FIELDS},
    )
    notification.case = case
    notification.triage_status = TriageStatus.CASE_OPENED
    save_with_actor(notification, by=by, reason="case opened")
    _notification_event(
        notification, kind=NotificationEventKind.CASE_OPENED, by=by, detail=case.number
    )
    return case


@transaction.atomic
def notification_merge(*, notification: Notification, case: Case, by: User) -> Notification:
    """The same death notified twice: keep both notifications, on one case."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    case = _locked(case)
    if notification.triage_status != TriageStatus.NEW:
        raise TransitionError("This notification has already been dealt with")
    if case.panel_id != notification.panel_id:
        raise ValidationError("A notification can only join a case of its own panel")
    if case.state == CaseState.CLOSED:
        raise ValidationError(
            f"{case.number} is closed: re-open it before adding a notification to it"
        )
    if _open_transfer(notification=notification):
        raise TransitionError("This notification is offered to another panel")
    notification.case = case
    notification.triage_status = TriageStatus.MERGED
    save_with_actor(notification, by=by, reason=f"merged into {case.number}")
    _notification_event(notification, kind=NotificationEventKind.MERGED, by=by, detail=case.number)
    _event(
        case,
        kind=CaseEventKind.NOTIFICATION_MERGED,
        by=by,
        detail=f"Notification {notification.reference} merged",
    )
    return notification


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": f"Enter why {what}"})
    if len(reason) > 500:
        raise ValidationError({"reason": "The reason must be 500 characters or fewer"})
    return reason


@transaction.atomic
def notification_unmerge(*, notification: Notification, reason: str, by: User) -> Notification:
    """Undo a wrong merge: the notification goes back to triage; the case keeps the record."""
    reason = _reason(reason, "the merge is undone")
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.triage_status != TriageStatus.MERGED or notification.case_id is None:
        raise TransitionError("This notification was not merged into a case")
    case = _locked(notification.case)
    _refuse_if_closed(case)
    notification.case = None
    notification.triage_status = TriageStatus.NEW
    save_with_actor(notification, by=by, reason="merge undone")
    _notification_event(
        notification,
        kind=NotificationEventKind.MERGE_UNDONE,
        by=by,
        detail=f"Taken out of {case.number}: {reason}",
    )
    _event(
        case,
        kind=CaseEventKind.NOTIFICATION_SEPARATED,
        by=by,
        detail=f"Notification {notification.reference} taken out: {reason}",
    )
    return notification


def _check_pair(notification: Notification, other: Notification) -> None:
    if notification.pk == other.pk:
        raise ValidationError("A notification cannot be compared with itself")
    if notification.panel_id != other.panel_id:
        raise ValidationError("Both notifications must belong to the same panel")


@transaction.atomic
def notification_mark_distinct(
    *, notification: Notification, other: Notification, by: User
) -> None:
    """The administrator has looked at a possible duplicate: these are different children."""
    _check_pair(notification, other)
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.distinct_from.filter(pk=other.pk).exists():
        return
    notification._history_user = by
    notification.distinct_from.add(other)
    for one, two in ((notification, other), (other, notification)):
        _notification_event(
            one, kind=NotificationEventKind.MARKED_DISTINCT, by=by, detail=two.reference
        )


@transaction.atomic
def notification_undo_distinct(
    *, notification: Notification, other: Notification, reason: str, by: User
) -> None:
    reason = _reason(reason, "the decision is undone")
    _check_pair(notification, other)
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if not notification.distinct_from.filter(pk=other.pk).exists():
        raise ValidationError(f"{other.reference} was not marked as a different child")
    notification._history_user = by
    notification.distinct_from.remove(other)
    for one, two in ((notification, other), (other, notification)):
        _notification_event(
            one,
            kind=NotificationEventKind.DISTINCT_UNDONE,
            by=by,
            detail=f"{two.reference}: {reason}",
        )


def _locked(case: Case) -> Case:
    """The case's row, locked until the transaction ends (callers are atomic)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _transition(
    case: Case,
    *,
    allowed: set,
    to: CaseState,
    by: User,
    kind: CaseEventKind,
    detail: str = "",
    **changes,
) -> Case:
    case = _locked(case)
    if case.state not in allowed:
        raise TransitionError(
            f"A case that is {case.get_state_display().lower()} cannot be "
            f"{dict(CaseEventKind.choices)[kind].lower()}"
        )
    from_state = case.state
    case.state = to
    for name, value in changes.items():
        setattr(case, name, value)
    save_with_actor(case, by=by, reason=dict(CaseEventKind.choices)[kind])
    _event(case, kind=kind, by=by, from_state=from_state, to_state=to, detail=detail)
    return case


@transaction.atomic
def case_start_information_gathering(*, case: Case, by: User) -> Case:
    return _transition(
        case,
        allowed={CaseState.NOTIFIED},
        to=CaseState.INFORMATION_GATHERING,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
    )


@transaction.atomic
def case_mark_ready_for_panel(*, case: Case, by: User) -> Case:
    return _transition(
        case,
        allowed={CaseState.NOTIFIED, CaseState.INFORMATION_GATHERING},
        to=CaseState.READY_FOR_PANEL,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
    )


@transaction.atomic
def case_gather_information_again(*, case: Case, reason: str, by: User) -> Case:
    """A case ready for panel needs more information after all (a form returned for
    amendment): it goes back to information gathering, with the reason on its timeline."""
    return _transition(
        case,
        allowed={CaseState.READY_FOR_PANEL},
        to=CaseState.INFORMATION_GATHERING,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
        detail=reason[:500],
    )


@transaction.atomic
def case_schedule(*, case: Case, by: User) -> Case:
    return _transition(
        case,
        allowed={CaseState.READY_FOR_PANEL},
        to=CaseState.SCHEDULED,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
    )


@transaction.atomic
def case_unschedule(*, case: Case, by: User) -> Case:
    """Taken off a meeting's agenda before it was discussed: ready for panel again."""
    return _transition(
        case,
        allowed={CaseState.SCHEDULED},
        to=CaseState.READY_FOR_PANEL,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
        detail="Taken off the agenda",
    )


@transaction.atomic
def case_defer(*, case: Case, reason: str, by: User) -> Case:
    return _transition(
        case,
        allowed={CaseState.SCHEDULED},
        to=CaseState.READY_FOR_PANEL,
        by=by,
        kind=CaseEventKind.DEFERRED,
        detail=reason,
    )


@transaction.atomic
def case_pause(*, case: Case, reason: str, by: User) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is paused"})
    # Read where the case is under the lock, so a concurrent step cannot slip in between.
    current = _locked(case).state
    return _transition(
        case,
        allowed=OPEN_STATES,
        to=CaseState.PAUSED,
        by=by,
        kind=CaseEventKind.PAUSED,
        detail=reason,
        paused_from=current,
        pause_reason=reason,
    )


@transaction.atomic
def case_resume(*, case: Case, by: User) -> Case:
    back_to = _locked(case).paused_from or CaseState.INFORMATION_GATHERING
    return _transition(
        case,
        allowed={CaseState.PAUSED},
        to=CaseState(back_to),
        by=by,
        kind=CaseEventKind.RESUMED,
        paused_from="",
        pause_reason="",
    )


@transaction.atomic
def case_close(*, case: Case, review_date: date, by: User) -> Case:
    """Closing follows the panel's completed analysis: refused, with what is missing, until
    it is complete. The review date is the closure date (`closed_on`, the one field)."""
    locked = _locked(case)
    if review_date < locked.date_of_death:
        raise ValidationError({"review_date": "The review cannot be before the death"})
    missing = analysis_missing(locked)
    if missing:
        raise ValidationError(f"Before the case can close, record {_and_list(missing)}")
    return _transition(
        case,
        allowed={CaseState.SCHEDULED, CaseState.READY_FOR_PANEL},
        to=CaseState.CLOSED,
        by=by,
        kind=CaseEventKind.CLOSED,
        closed_on=review_date,
    )


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@transaction.atomic
def case_reopen(*, case: Case, reason: str, by: User) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is re-opened"})
    return _transition(
        case,
        allowed={CaseState.CLOSED},
        to=CaseState.READY_FOR_PANEL,
        by=by,
        kind=CaseEventKind.REOPENED,
        detail=reason,
        closed_on=None,
    )


def _refuse_if_closed(case: Case) -> None:
    if case.state == CaseState.CLOSED:
        raise ValidationError("This case is closed. Re-open it before changing it.")


@transaction.atomic
def case_update_details(*, case: Case, by: User, **fields) -> Case:
    """Expected or unexpected, area and ward, key worker: what the administrator keeps up to
    date after the notification."""
    case = _locked(case)
    _refuse_if_closed(case)
    if "area" in fields or "ward" in fields:
        _check_place(case.panel, fields.get("area", case.area), fields.get("ward", case.ward))
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, fields[name])
    case.full_clean()
    save_with_actor(case, by=by, reason="details changed")
    labels = ", ".join(Case._meta.get_field(name).verbose_name for name in changed)
    _event(case, kind=CaseEventKind.DETAILS_CHANGED, by=by, detail=f"Changed: {labels}")
    return case


@transaction.atomic
def related_process_add(*, case: Case, by: User, **fields) -> RelatedProcess:
    case = _locked(case)
    _refuse_if_closed(case)
    process = RelatedProcess(case=case, **fields)
    process.full_clean()
    save_with_actor(process, by=by, reason="recorded")
    _event(case, kind=CaseEventKind.PROCESS_RECORDED, by=by, detail=process.get_kind_display())
    return process


# --- The panel's analysis -----------------------------------------------------------------


@dataclass(frozen=True)
class FactorRecord:
    """One factor of an analysis (domain.md §5): a catalogue code in a domain, with flags."""

    factor: Factor
    domain: str
    contributed: bool = False
    modifiable: bool = False
    description: str = ""


@dataclass(frozen=True)
class ActionRecord:
    """One action or recommendation of an analysis."""

    description: str
    owner: str = ""
    due_date: date | None = None
    level: str = ActionLevel.LOCAL


@transaction.atomic
def case_record_analysis(
    *,
    case: Case,
    by: User,
    primary_category: int | None = None,
    modifiable: str = "",
    factors: Iterable[FactorRecord] = (),
    contributing_categories: Iterable[int] = (),
    summary: str = "",
    attendance: str = "",
    learning: str = "",
    process_issues: str = "",
    actions: Iterable[ActionRecord] | None = None,
) -> Analysis:
    """Record (or replace) the panel's analysis of an open case as it stands: at a meeting it
    is saved at every step, complete or not. Closing the case (`case_close`) is what needs it
    complete (`analysis_missing`). `actions` None keeps the actions recorded."""
    case = _locked(case)
    _refuse_if_closed(case)
    factors = list(factors)
    if primary_category is not None and not 1 <= primary_category <= 10:
        raise ValidationError({"primary_category": "Choose a category from 1 to 10"})
    if modifiable and modifiable not in ModifiableDecision.values:
        raise ValidationError({"modifiable": "Choose yes, no or insufficient information"})
    analysis = Analysis.objects.filter(case=case).first() or Analysis(case=case)
    analysis.primary_category_id = primary_category
    analysis.modifiable = modifiable
    analysis.summary, analysis.attendance = summary, attendance
    analysis.learning, analysis.process_issues = learning, process_issues
    analysis.full_clean(exclude=["case", "primary_category"])
    save_with_actor(analysis, by=by, reason="analysis recorded")
    analysis._history_user = by
    analysis.contributing_categories.set(contributing_categories)
    for old in analysis.factors.all():
        old._history_user = by
        old.delete()
    for record in factors:
        save_with_actor(
            AnalysisFactor(
                analysis=analysis,
                factor=record.factor,
                domain=record.domain,
                contributed=record.contributed,
                modifiable=record.modifiable,
                description=record.description,
            ),
            by=by,
        )
    if actions is not None:
        _replace_actions(analysis, list(actions), by=by)
    _event(case, kind=CaseEventKind.ANALYSIS_RECORDED, by=by)
    return analysis


def _replace_actions(analysis: Analysis, actions: list[ActionRecord], *, by: User) -> None:
    """The actions as listed, in order: a row kept in place keeps whether it is done."""
    existing = list(analysis.actions.order_by("pk"))
    for n, record in enumerate(actions):
        action = existing[n] if n < len(existing) else AnalysisAction(analysis=analysis)
        action.description, action.owner = record.description, record.owner
        action.due_date, action.level = record.due_date, record.level
        save_with_actor(action, by=by, reason="analysis recorded")
    for gone in existing[len(actions) :]:
        gone._history_user = by
        gone.delete()


@transaction.atomic
def analysis_action_done(*, action: AnalysisAction, done: bool, by: User) -> AnalysisAction:
    """An action of the panel done (or not after all). Actions are followed up after the case
    closed, so this is the one change a closed case's analysis takes."""
    action = AnalysisAction.objects.select_for_update().get(pk=action.pk)
    if action.done != done:
        action.done = done
        save_with_actor(action, by=by, reason="done" if done else "not done")
    return action


def analysis_missing(case: Case) -> list[str]:
    """What the panel's analysis still needs before the case can close, in words."""
    analysis = (
        Analysis.objects.filter(case=case).prefetch_related("factors__factor", "actions").first()
    )
    if analysis is None:
        return ["the panel's analysis"]
    missing = []
    if analysis.primary_category_id is None:
        missing.append("the primary category of death")
    if not analysis.modifiable:
        missing.append("the decision on modifiable factors")
    factors = list(analysis.factors.all())
    if analysis.modifiable == ModifiableDecision.YES and not any(f.modifiable for f in factors):
        missing.append("a factor marked modifiable (the decision is yes)")
    if (
        analysis.modifiable
        and analysis.modifiable != ModifiableDecision.YES
        and any(f.modifiable for f in factors)
    ):
        missing.append("the decision yes (a factor is marked modifiable)")
    for f in factors:
        if f.factor.needs_description and not f.description.strip():
            missing.append(f"a description of the factor {f.factor.label.lower()}")
        if not f.domain:
            missing.append(f"the domain of the factor {f.factor.label.lower()}")
    for n, action in enumerate(analysis.actions.order_by("pk"), start=1):
        if not action.description.strip():
            missing.append(f"what action {n} is")
    return missing


@transaction.atomic
def case_remove_analysis(*, case: Case, by: User) -> None:
    case = _locked(case)
    _refuse_if_closed(case)
    analysis = Analysis.objects.filter(case=case).first()
    if analysis is None:
        return
    for factor in analysis.factors.all():
        factor._history_user = by
        factor.delete()
    analysis._history_user = by
    analysis.delete()
    _event(case, kind=CaseEventKind.ANALYSIS_REMOVED, by=by)


# --- Import bookkeeping -------------------------------------------------------------------


@transaction.atomic
def case_stamp_imported(*, case: Case, by: User) -> Case:
    """The import has finished writing the case: later timeline events are the application's."""
    case = _locked(case)
    case.last_imported_at = timezone.now()
    save_with_actor(case, by=by, reason="imported")
    return case


@dataclass(frozen=True, slots=True)
class HistoricCase:
    """One case of a panel's history, as the import brings it in. With an analysis it is a
    reviewed case: it arrives closed on its review date."""

    legacy_reference: str
    date_notified: date
    fields: dict
    analysis: dict | None = None  # review_date, primary_category, modifiable
    factors: tuple[FactorRecord, ...] = ()


def cases_import_new(*, panel: Panel, cases: list[HistoricCase], by: User) -> list[Case]:
    """Create many historic cases at once, written in bulk with their history rows: the checks
    and numbers of `case_create`; a reviewed case closed with its analysis, as
    `case_record_analysis` and `case_close` leave it. Each timeline starts with one "Imported"
    event that names the review. Every row carries one time, the import's stamp, so a re-import
    sees no change made after it. The caller's transaction makes a file all or nothing."""
    if not cases:
        return []
    for historic in cases:
        _check_place(panel, historic.fields.get("area"), historic.fields.get("ward"))
    numbers = _reserve_numbers(panel, [c.date_notified.year for c in cases])
    stamp = timezone.now()
    created = [
        Case(
            panel=panel,
            number=number,
            date_notified=historic.date_notified,
            legacy_reference=historic.legacy_reference,
            state=CaseState.CLOSED if historic.analysis else CaseState.NOTIFIED,
            closed_on=historic.analysis["review_date"] if historic.analysis else None,
            last_imported_at=stamp,
            search_name=search_text(
                f"{historic.fields.get('family_name', '')} {historic.fields.get('given_names', '')}"
            ),
            **historic.fields,
        )
        for historic, number in zip(cases, numbers, strict=True)
    ]
    history = {"by": by, "reason": "imported", "at": stamp}
    create_with_history(created, **history)

    events, analyses = [], []
    for case, historic in zip(created, cases, strict=True):
        detail = f"Imported as {historic.legacy_reference}"
        if historic.analysis:
            reviewed = historic.analysis["review_date"]
            detail += f", reviewed by the panel on {reviewed.day} {reviewed:%B %Y}"
            analyses.append(_historic_analysis(case, historic))
        events.append(
            CaseEvent(
                case=case,
                by=by,
                at=stamp,
                kind=CaseEventKind.IMPORTED,
                to_state=case.state,
                detail=detail[:500],
            )
        )
    create_with_history(events, **history)
    create_with_history(analyses, **history)
    by_case = {c.case_id: c for c in analyses}
    factors = [
        AnalysisFactor(
            analysis=by_case[case.pk],
            factor=record.factor,
            domain=record.domain,
            contributed=record.contributed,
            modifiable=record.modifiable,
            description=record.description,
        )
        for case, historic in zip(created, cases, strict=True)
        for record in historic.factors
    ]
    create_with_history(factors, **history)
    return created


# What `cases_import_new` writes in bulk: its caller refreshes their statistics once committed.
IMPORTED_MODELS = (Case, CaseEvent, Analysis, AnalysisFactor)


def _check_analysis(
    case: Case, review_date: date, primary_category: int, modifiable: str, factors: list
) -> None:
    """The rules of an analysis, whoever records it: the pages or a panel's history."""
    if review_date < case.date_of_death:
        raise ValidationError({"review_date": "The review cannot be before the death"})
    if any(f.modifiable for f in factors) and modifiable != ModifiableDecision.YES:
        raise ValidationError(
            {"modifiable": "A factor is recorded as modifiable: the decision must be yes"}
        )
    if not 1 <= primary_category <= 10:
        raise ValidationError({"primary_category": "Choose a category from 1 to 10"})


def _historic_analysis(case: Case, historic: HistoricCase) -> Analysis:
    analysis = historic.analysis
    _check_analysis(
        case,
        analysis["review_date"],
        analysis["primary_category"],
        analysis["modifiable"],
        list(historic.factors),
    )
    return Analysis(
        case=case,
        primary_category_id=analysis["primary_category"],
        modifiable=analysis["modifiable"],
    )


def _reserve_numbers(panel: Panel, years: list[int]) -> list[str]:
    """Case numbers for cases notified in these years, in order: each year's counter is locked
    and moved on once for the whole batch (as `case_number_next` does for one)."""
    last, wanted = {}, collections.Counter(years)
    for year in sorted(wanted):
        counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(
            panel=panel, year=year
        )
        last[year] = counter.last
        counter.last += wanted[year]
        counter.save()
    numbers = []
    for year in years:
        last[year] += 1
        numbers.append(f"{panel.code}-{year}-{last[year]:04d}")
    return numbers


# --- Transfers between panels -------------------------------------------------------------


def _open_transfer(*, notification: Notification | None = None, case: Case | None = None) -> bool:
    offers = Transfer.objects.filter(status=TransferStatus.OFFERED)
    if notification is not None:
        return offers.filter(notification=notification).exists()
    return offers.filter(case=case).exists()


def _transfer_events(transfer: Transfer, *, kind: str, by: User, detail: str) -> None:
    if transfer.notification_id:
        _notification_event(
            transfer.notification, kind=NotificationEventKind(kind), by=by, detail=detail
        )
    else:
        _event(transfer.case, kind=CaseEventKind(kind), by=by, detail=detail)


@transaction.atomic
def transfer_offer(
    *,
    to_panel: Panel,
    reason: str,
    by: User,
    notification: Notification | None = None,
    case: Case | None = None,
) -> Transfer:
    """Offer a notification still in triage, or an open case, to another panel."""
    reason = _reason(reason, "it belongs to the other panel")
    if (notification is None) == (case is None):
        raise ValueError("offer a notification or a case")
    if notification is not None:
        thing = Notification.objects.select_for_update().get(pk=notification.pk)
        if thing.triage_status != TriageStatus.NEW:
            raise TransitionError("Only a notification waiting for triage can be offered")
    else:
        thing = _locked(case)
        _refuse_if_closed(thing)
    if to_panel.pk == thing.panel_id:
        raise ValidationError({"to_panel": "Choose another panel"})
    if _open_transfer(notification=notification, case=case if notification is None else None):
        raise ValidationError("It is already offered to a panel: withdraw that offer first")
    transfer = Transfer(
        notification=thing if notification is not None else None,
        case=thing if case is not None else None,
        from_panel_id=thing.panel_id,
        to_panel=to_panel,
        reason=reason,
        offered_by=by,
    )
    save_with_actor(transfer, by=by, reason="offered")
    _transfer_events(
        transfer,
        kind="transfer_offered",
        by=by,
        detail=f"Offered to {to_panel.name}: {reason}",
    )
    return transfer


def _locked_offer(transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("to_panel").get(pk=transfer.pk)
    if transfer.status != TransferStatus.OFFERED:
        raise TransitionError(f"This offer has been {transfer.get_status_display().lower()}")
    return transfer


def _decide(transfer: Transfer, *, status: str, reason: str, by: User) -> Transfer:
    transfer.status = status
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.decision_reason = reason
    save_with_actor(transfer, by=by, reason=status)
    return transfer


@transaction.atomic
def transfer_withdraw(*, transfer: Transfer, by: User) -> Transfer:
    transfer = _decide(_locked_offer(transfer), status=TransferStatus.WITHDRAWN, reason="", by=by)
    _transfer_events(
        transfer,
        kind="transfer_withdrawn",
        by=by,
        detail=f"Offer to {transfer.to_panel.name} withdrawn",
    )
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: Transfer, reason: str, by: User) -> Transfer:
    reason = _reason(reason, "the offer is declined")
    transfer = _decide(
        _locked_offer(transfer), status=TransferStatus.DECLINED, reason=reason, by=by
    )
    _transfer_events(
        transfer,
        kind="transfer_declined",
        by=by,
        detail=f"Declined by {transfer.to_panel.name}: {reason}",
    )
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: Transfer, area: Area, reason: str, by: User) -> Transfer:
    """The record moves to the other panel, in one of its areas; the panel's administrators see
    it from the next request and the first panel's no longer do (access follows the panel)."""
    reason = _reason(reason, "the offer is accepted")
    transfer = _locked_offer(transfer)
    if area.panel_id != transfer.to_panel_id:
        raise ValidationError({"area": f"Choose an area of {transfer.to_panel.name}"})
    if transfer.notification_id:
        thing = Notification.objects.select_for_update().get(pk=transfer.notification_id)
        moving = [thing]
    else:
        thing = _locked(transfer.case)
        _refuse_if_closed(thing)
        moving = [thing, *Notification.objects.select_for_update().filter(case=thing)]
    for record in moving:
        record.panel_id = transfer.to_panel_id
        record.area, record.ward = area, None
        save_with_actor(record, by=by, reason=f"transferred to {transfer.to_panel.code}")
    transfer = _decide(transfer, status=TransferStatus.ACCEPTED, reason=reason, by=by)
    _transfer_events(
        transfer,
        kind="transferred",
        by=by,
        detail=f"Accepted by {transfer.to_panel.name}: {reason}",
    )
    return transfer


# --- Case notes ---------------------------------------------------------------------------

NOTE_EDIT_WINDOW = timedelta(hours=1)
NOTE_LIMIT = 5000


def _check_note(*, occurred_on: date, text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the note"})
    if len(text) > NOTE_LIMIT:
        raise ValidationError({"text": f"The note must be {NOTE_LIMIT:,} characters or fewer"})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "The date must be today or in the past"})
    return text


@transaction.atomic
def case_note_add(*, case: Case, kind: str, occurred_on: date, text: str, by: User) -> CaseNote:
    case = _locked(case)
    _refuse_if_closed(case)
    note = CaseNote(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        text=_check_note(occurred_on=occurred_on, text=text),
        author=by,
    )
    note.full_clean()
    save_with_actor(note, by=by, reason="note written")
    return note


def note_still_editable(note: CaseNote, user: User) -> bool:
    return note.author_id == user.pk and timezone.now() - note.written_at <= NOTE_EDIT_WINDOW


@transaction.atomic
def case_note_change(
    *, note: CaseNote, kind: str, occurred_on: date, text: str, by: User
) -> CaseNote:
    note = CaseNote.objects.select_for_update().select_related("case").get(pk=note.pk)
    _refuse_if_closed(note.case)
    if note.author_id != by.pk:
        raise ValidationError("Only the person who wrote a note can change it")
    if not note_still_editable(note, by):
        raise ValidationError(
            "A note can be changed for an hour after it is written: add a new one"
        )
    note.kind, note.occurred_on = kind, occurred_on
    note.text = _check_note(occurred_on=occurred_on, text=text)
    note.changed_at = timezone.now()
    note.full_clean()
    save_with_actor(note, by=by, reason="note changed")
    return note
