"""Writes to panel meetings: every page, command, admin action and the demo data call these.

A case's state follows the agenda: putting it on a meeting's agenda schedules it, taking it off
(or cancelling the meeting) makes it ready for panel again, and the chair's outcome closes it
(`cases.services.case_close`, which refuses an incomplete analysis) or defers it. Each write
locks what it changes and records who did it.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import PanelMembership, User
from cases import services as case_services
from cases.models import Case, CaseState
from core.history import save_with_actor
from meetings.models import (
    AgendaItem,
    Attendance,
    Declaration,
    Invitation,
    Meeting,
    MeetingStatus,
    Outcome,
    Reveal,
)
from meetings.permissions import READERS
from panels.models import Panel


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)


def _refuse_unless(meeting: Meeting, *statuses: str, doing: str) -> None:
    if meeting.status not in statuses:
        raise ValidationError(
            f"A meeting that is {meeting.get_status_display().lower()} cannot {doing}"
        )


# --- Preparing a meeting ----------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    panel: Panel,
    starts_at: datetime,
    by: User,
    duration_minutes: int = 180,
    place: str = "",
    link: str = "",
) -> Meeting:
    if not place.strip() and not link.strip():
        raise ValidationError({"place": "Enter where the meeting is held, or a link to join it"})
    meeting = Meeting(
        panel=panel,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        link=link.strip(),
        created_by=by,
    )
    meeting.full_clean()
    save_with_actor(meeting, by=by, reason="scheduled")
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, **fields) -> Meeting:
    """When and where, and when the papers open to members."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="change")
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    if not meeting.place and not meeting.link:
        raise ValidationError({"place": "Enter where the meeting is held, or a link to join it"})
    if meeting.papers_from and meeting.papers_from >= meeting.papers_close_at:
        raise ValidationError({"papers_from": "Release the papers before the meeting"})
    meeting.full_clean()
    save_with_actor(meeting, by=by, reason="changed")
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: Meeting, users: list[User], by: User) -> list[Invitation]:
    """Invite chairs and members of the meeting's panel (others are refused, by name)."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="invite")
    readers = set(
        PanelMembership.objects.filter(
            panel=meeting.panel, role__in=READERS, user__in=users, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    refused = [u.full_name or u.email for u in users if u.pk not in readers]
    if refused:
        raise ValidationError(
            f"Only the panel's chairs and members can be invited: not {', '.join(refused)}"
        )
    invited = set(
        Invitation.objects.filter(meeting=meeting, user__in=users).values_list("user", flat=True)
    )
    made = []
    for user in users:
        if user.pk not in invited:
            invitation = Invitation(meeting=meeting, user=user)
            save_with_actor(invitation, by=by, reason="invited")
            made.append(invitation)
    return made


@transaction.atomic
def meeting_uninvite(*, invitation: Invitation, by: User) -> None:
    """The person no longer comes: their access to the papers ends with it."""
    meeting = _locked(invitation.meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="change")
    invitation._history_user = by
    invitation.delete()


@transaction.atomic
def agenda_add(*, meeting: Meeting, case: Case, by: User, minutes: int = 20) -> AgendaItem:
    """Put a case ready for panel (a new one, or one deferred at an earlier meeting) on the
    agenda, last: it is scheduled."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, doing="take more cases")
    if case.panel_id != meeting.panel_id:
        raise ValidationError("The case belongs to another panel")
    if not 5 <= minutes <= 240:
        raise ValidationError({"minutes": "Give the case between 5 and 240 minutes"})
    case_services.case_schedule(case=case, by=by)  # refuses a case not ready for panel
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(meeting=meeting, case=case, position=last + 1, minutes=minutes)
    save_with_actor(item, by=by, reason="put on the agenda")
    return item


@transaction.atomic
def agenda_remove(*, item: AgendaItem, by: User) -> None:
    """Take a case off the agenda before it is discussed: ready for panel again."""
    meeting = _locked(item.meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, doing="change its agenda")
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.outcome != Outcome.PENDING:
        raise ValidationError("The panel has decided this case")
    case_services.case_unschedule(case=item.case, by=by)
    item._history_user = by
    item.delete()
    _renumber(meeting, by=by)


def _renumber(meeting: Meeting, *, by: User) -> None:
    for position, item in enumerate(meeting.items.order_by("position", "pk"), start=1):
        if item.position != position:
            item.position = position
            save_with_actor(item, by=by, reason="agenda reordered")


@transaction.atomic
def agenda_move(*, item: AgendaItem, up: bool, by: User) -> None:
    """Move a case one place earlier (`up`) or later on the agenda."""
    meeting = _locked(item.meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="reorder")
    items = list(meeting.items.order_by("position", "pk"))
    at = next(n for n, i in enumerate(items) if i.pk == item.pk)
    other = at - 1 if up else at + 1
    if 0 <= other < len(items):
        items[at], items[other] = items[other], items[at]
        for position, moved in enumerate(items, start=1):
            if moved.position != position:
                moved.position = position
                save_with_actor(moved, by=by, reason="agenda reordered")


@transaction.atomic
def agenda_time(*, item: AgendaItem, minutes: int, by: User) -> AgendaItem:
    _refuse_unless(_locked(item.meeting), MeetingStatus.PLANNED, doing="change its agenda")
    if not 5 <= minutes <= 240:
        raise ValidationError({"minutes": "Give the case between 5 and 240 minutes"})
    item.minutes = minutes
    save_with_actor(item, by=by, reason="time changed")
    return item


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User) -> Meeting:
    """Called off before it starts: its cases are ready for panel again."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, doing="be cancelled")
    for item in meeting.items.filter(outcome=Outcome.PENDING).select_related("case"):
        case_services.case_unschedule(case=item.case, by=by)
        item._history_user = by
        item.delete()
    meeting.status = MeetingStatus.CANCELLED
    save_with_actor(meeting, by=by, reason="cancelled")
    return meeting


# --- Running a meeting (the chair) ------------------------------------------------------------


@transaction.atomic
def meeting_start(*, meeting: Meeting, by: User) -> Meeting:
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.IN_PROGRESS:
        return meeting  # picked up again after an interruption
    _refuse_unless(meeting, MeetingStatus.PLANNED, doing="start")
    meeting.status = MeetingStatus.IN_PROGRESS
    save_with_actor(meeting, by=by, reason="started")
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, attendance: dict[int, str], by: User) -> None:
    """Who came and who sent apologies, by invitation."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="change")
    for invitation in meeting.invitations.select_for_update():
        wanted = attendance.get(invitation.pk)
        if wanted is None or wanted == invitation.attendance:
            continue
        if wanted not in Attendance.values:
            raise ValidationError({"attendance": "Choose present, apologies or absent"})
        invitation.attendance = wanted
        save_with_actor(invitation, by=by, reason="attendance")


@transaction.atomic
def interest_declare(*, item: AgendaItem, user: User, note: str, by: User) -> Declaration:
    """A member's interest in one case: from now on they do not see its papers."""
    meeting = _locked(item.meeting)
    _refuse_unless(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS, doing="change")
    if not note.strip():
        raise ValidationError({"note": "Say what the interest is"})
    if not Invitation.objects.filter(meeting=meeting, user=user).exists():
        raise ValidationError("Only someone invited to the meeting declares an interest")
    declaration, _ = Declaration.objects.get_or_create(
        item=item, user=user, defaults={"note": note.strip()[:300]}
    )
    return declaration


def _pending(item: AgendaItem) -> AgendaItem:
    meeting = _locked(item.meeting)
    _refuse_unless(meeting, MeetingStatus.IN_PROGRESS, doing="decide a case (start it first)")
    item = AgendaItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    if item.outcome != Outcome.PENDING:
        raise ValidationError(
            f"The panel has already decided this case: {item.get_outcome_display()}"
        )
    item.meeting = meeting
    return item


@transaction.atomic
def item_close(*, item: AgendaItem, by: User) -> AgendaItem:
    """The panel's analysis is complete: the case closes, reviewed on the meeting's date.
    An incomplete analysis is refused with what is missing (`case_close`)."""
    item = _pending(item)
    reviewed = timezone.localtime(item.meeting.starts_at).date()
    case = case_services.case_close(case=item.case, review_date=reviewed, by=by)
    item.outcome, item.decided_at = Outcome.CLOSED, timezone.now()
    save_with_actor(item, by=by, reason="closed")
    follow_ups_draft(case=case, by=by)
    return item


@transaction.atomic
def item_defer(*, item: AgendaItem, reason: str, by: User) -> AgendaItem:
    """Put off to a later meeting, with a reason: the case is ready for panel again, and its
    analysis so far is kept."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the panel deferred the case"})
    item = _pending(item)
    case_services.case_defer(case=item.case, reason=reason.strip(), by=by)
    item.outcome, item.reason, item.decided_at = Outcome.DEFERRED, reason.strip(), timezone.now()
    save_with_actor(item, by=by, reason="deferred")
    return item


@transaction.atomic
def meeting_finish(*, meeting: Meeting, by: User) -> Meeting:
    """Every case has an outcome: the meeting is held, and its record final."""
    meeting = _locked(meeting)
    _refuse_unless(meeting, MeetingStatus.IN_PROGRESS, doing="finish")
    waiting = meeting.items.filter(outcome=Outcome.PENDING).select_related("case")
    if waiting:
        numbers = ", ".join(item.case.number for item in waiting)
        raise ValidationError(f"Close or defer every case first: still to decide {numbers}")
    meeting.status = MeetingStatus.HELD
    save_with_actor(meeting, by=by, reason="held")
    return meeting


@transaction.atomic
def case_reveal(*, item: AgendaItem, reason: str, by: User) -> Reveal:
    """The chair sees the child's identifying details during the case's discussion; the
    reason is kept and the viewing access-logged by the page."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the panel needs the identifying details"})
    meeting = _locked(item.meeting)
    _refuse_unless(meeting, MeetingStatus.IN_PROGRESS, doing="reveal details")
    if item.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed")
    return Reveal.objects.create(item=item, by=by, reason=reason.strip()[:500])


# --- Redaction and actions ----------------------------------------------------------------------


@transaction.atomic
def redactions_save(*, form_request, texts: dict[str, str], by: User) -> int:
    """The administrator's redacted text of a submitted form's narrative answers, for the
    papers (the agency's own words stay in the form). An empty text keeps the answer out of
    the papers. Returns how many changed."""
    from agency_forms.models import FormRequest, RequestStatus
    from meetings.models import Redaction

    locked = FormRequest.objects.select_for_update().select_related("case").get(pk=form_request.pk)
    if locked.status != RequestStatus.SUBMITTED:
        raise ValidationError("Only a submitted form is redacted")
    if locked.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed. Re-open it before changing it.")
    keys = {q["key"] for _s, q in locked.definition.questions() if not q["identifying"]}
    existing = {r.question_key: r for r in Redaction.objects.filter(request=locked)}
    changed = 0
    for key, text in texts.items():
        if key not in keys:
            raise ValidationError(f"The form has no question {key}")
        redaction = existing.get(key) or Redaction(request=locked, question_key=key, by=by)
        if redaction.pk and redaction.text == text.strip():
            continue
        redaction.text, redaction.by = text.strip(), by
        save_with_actor(redaction, by=by, reason="redacted")
        changed += 1
    return changed


# --- Follow-ups triggered by factors --------------------------------------------------------------


def _draft_letter(rule, case: Case) -> str:
    """The follow-up's letter with the case's details filled in (placeholders only: the text
    is the system administrator's, never a template that runs)."""
    from string import Template

    from django.utils import dateformat

    notification = case.notifications.exclude(gp_practice="").order_by("received_at", "pk").first()
    return Template(rule.letter).safe_substitute(
        case_number=case.number,
        child_name=f"{case.given_names} {case.family_name}".strip(),
        date_of_birth=dateformat.format(case.date_of_birth, "j F Y"),
        gp_practice=notification.gp_practice if notification else "the family's GP practice",
        panel=case.panel.name,
        date=dateformat.format(timezone.localdate(), "j F Y"),
    )


def follow_ups_draft(*, case: Case, by: User) -> list:
    """The follow-ups the case's closure triggers: one per active rule whose factor the panel
    recorded as modifiable, once per case (a re-closed case gets no second letter)."""
    from meetings.models import FollowUp
    from panels.models import AnalysisFactor, FactorFollowUp

    modifiable = AnalysisFactor.objects.filter(analysis__case=case, modifiable=True).values(
        "factor"
    )
    rules = FactorFollowUp.objects.filter(is_active=True, factor__in=modifiable).order_by("pk")
    done = set(FollowUp.objects.filter(case=case).values_list("rule_id", flat=True))
    made = []
    for rule in rules:
        if rule.pk in done:
            continue
        follow_up = FollowUp(case=case, rule=rule, letter=_draft_letter(rule, case))
        save_with_actor(follow_up, by=by, reason="drafted at the case's closure")
        made.append(follow_up)
    return made


@transaction.atomic
def follow_up_mark_sent(*, follow_up, by: User):
    from meetings.models import FollowUp

    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.sent_at is None:
        follow_up.sent_at, follow_up.sent_by = timezone.now(), by
        save_with_actor(follow_up, by=by, reason="sent")
    return follow_up


# --- The learning digest --------------------------------------------------------------------------


def digest_draft(*, panel: Panel, start, end) -> str:
    """The learning and actions of the panel's cases closed in the period, by category of
    death and then by modifiable factor; no case numbers, names or dates, only the age band
    and area (at most) of each child."""
    from panels.models import Analysis, AnalysisFactor

    analyses = list(
        Analysis.objects.filter(
            case__panel=panel,
            case__state=CaseState.CLOSED,
            case__closed_on__gte=start,
            case__closed_on__lte=end,
        )
        .select_related("case", "case__area", "primary_category")
        .prefetch_related("actions")
        .order_by("primary_category_id", "case__closed_on", "pk")
    )
    paragraphs = []
    by_category: dict = {}
    for analysis in analyses:
        by_category.setdefault(analysis.primary_category, []).append(analysis)
    for category, group in by_category.items():
        paragraphs.append(f"## {category.label if category else 'Category not recorded'}")
        for analysis in group:
            if analysis.learning.strip():
                paragraphs.append(
                    f"A child aged {analysis.case.age_band_at_death.lower()} in "
                    f"{analysis.case.area.name}: {analysis.learning.strip()}"
                )
            for action in analysis.actions.all():
                paragraphs.append(
                    f"Action ({action.get_level_display().lower()}): {action.description}"
                )
    factors = (
        AnalysisFactor.objects.filter(analysis__in=analyses, modifiable=True)
        .values_list("factor__label", flat=True)
        .order_by("factor__label")
    )
    counts: dict[str, int] = {}
    for label in factors:
        counts[label] = counts.get(label, 0) + 1
    if counts:
        paragraphs.append("## Modifiable factors identified")
        paragraphs.append(
            "; ".join(f"{label}: {n} review{'s' if n > 1 else ''}" for label, n in counts.items())
        )
    if not analyses:
        paragraphs.append("The panel closed no cases in this period.")
    return "\n\n".join(paragraphs)


@transaction.atomic
def digest_create(*, panel: Panel, title: str, start, end, by: User):
    from meetings.models import LearningDigest

    if end < start:
        raise ValidationError({"end": "The end must be on or after the start"})
    digest = LearningDigest(
        panel=panel,
        title=title.strip(),
        start=start,
        end=end,
        body=digest_draft(panel=panel, start=start, end=end),
        created_by=by,
    )
    digest.full_clean()
    save_with_actor(digest, by=by, reason="drafted")
    return digest


@transaction.atomic
def digest_update(*, digest, title: str, body: str, by: User):
    digest.title, digest.body = title.strip(), body.strip()
    digest.full_clean()
    save_with_actor(digest, by=by, reason="edited")
    return digest
