"""Writes to notifications and cases: one service per action, each recording who acted.

Every state change of a case goes through `_transition`, which locks the row, checks the
allowed source states and writes a timeline event.
"""

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseNumberCounter,
    CaseState,
    Notification,
    RelatedProcess,
    TriageStatus,
)
from cases.permissions import case_grant_to_panel
from core.history import save_with_actor
from panels.models import Panel

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


def case_number_next(*, panel: Panel, year: int) -> str:
    """`<PANEL>-<YYYY>-<NNNN>`; the counter row is locked, so numbers are never given twice."""
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(panel=panel, year=year)
    counter.last += 1
    counter.save()
    return f"{panel.code}-{year}-{counter.last:04d}"


def notification_reference_new() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone
    while True:
        reference = "N" + "".join(secrets.choice(alphabet) for _ in range(7))
        if not Notification.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def notification_record(*, panel: Panel, source: str, fields: dict, by: User) -> Notification:
    notification = Notification(
        panel=panel, source=source, reference=notification_reference_new(), **fields
    )
    notification.full_clean()
    save_with_actor(notification, by=by, reason=f"notification received ({source})")
    return notification


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


@transaction.atomic
def case_open(*, notification: Notification, by: User) -> Case:
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.triage_status != TriageStatus.NEW:
        raise TransitionError("This notification has already been dealt with")
    if notification.area is None:
        raise ValidationError({"area": "Choose the area the child lived in before opening a case"})
    case = Case(
        panel=notification.panel,
        number=case_number_next(panel=notification.panel, year=notification.notified_on.year),
        date_notified=notification.notified_on,
        **{name: getattr(notification, name) for name in CHILD_FIELDS},
    )
    save_with_actor(case, by=by, reason="case opened from notification")
    notification.case = case
    notification.triage_status = TriageStatus.CASE_OPENED
    save_with_actor(notification, by=by, reason="case opened")
    _event(
        case,
        kind=CaseEventKind.OPENED,
        by=by,
        to_state=case.state,
        detail=f"From notification {notification.reference}",
    )
    case_grant_to_panel(case)
    return case


@transaction.atomic
def notification_merge(*, notification: Notification, case: Case, by: User) -> Notification:
    """The same death notified twice: keep both notifications, on one case."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.triage_status != TriageStatus.NEW:
        raise TransitionError("This notification has already been dealt with")
    if case.panel_id != notification.panel_id:
        raise ValidationError("A notification can only join a case of its own panel")
    notification.case = case
    notification.triage_status = TriageStatus.MERGED
    save_with_actor(notification, by=by, reason=f"merged into {case.number}")
    _event(
        case,
        kind=CaseEventKind.NOTIFICATION_MERGED,
        by=by,
        detail=f"Notification {notification.reference} merged",
    )
    return notification


@transaction.atomic
def notification_mark_distinct(
    *, notification: Notification, other: Notification, by: User
) -> None:
    notification._history_user = by
    notification.distinct_from.add(other)


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
def case_schedule(*, case: Case, by: User) -> Case:
    return _transition(
        case,
        allowed={CaseState.READY_FOR_PANEL},
        to=CaseState.SCHEDULED,
        by=by,
        kind=CaseEventKind.STATE_CHANGED,
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
    """Closing follows the panel's completed analysis; the review date is the closure date."""
    if not hasattr(_locked(case), "analysis"):
        raise ValidationError("Record the panel's analysis before closing the case")
    return _transition(
        case,
        allowed={CaseState.SCHEDULED, CaseState.READY_FOR_PANEL},
        to=CaseState.CLOSED,
        by=by,
        kind=CaseEventKind.CLOSED,
        closed_on=review_date,
    )


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
