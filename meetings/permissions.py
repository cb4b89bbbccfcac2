"""Who may see and run panel meetings, and read their papers: the policy of this app's objects.

- The administrators of the meeting's panel prepare it (invitations, agenda, papers, redaction)
  and see everything of it, identifiable, always.
- A chair or member of the panel sees the meetings they are invited to, and their papers
  (pseudonymised) from the release time until the window after the meeting closes; a declared
  interest in a case hides that case's papers from them. All of it computed now, at the
  request: an invitation withdrawn, a role removed or the window passing ends the access on the
  next request, with nothing to revoke.
- The chair of the panel runs the meeting: attendance, declarations, each case's analysis and
  outcome; during the meeting the chair may reveal one case's identifying details, with a
  reason.

Not allowed to see is "not found".
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import PanelRole, User
from accounts.permissions import holds_role_in_panel, panel_ids_where
from cases.permissions import CASE_WORKERS
from meetings.models import AgendaItem, Declaration, Invitation, Meeting, MeetingStatus

READERS = (PanelRole.CHAIR, PanelRole.MEMBER)  # read the papers of meetings they are invited to
CHAIRS = (PanelRole.CHAIR,)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """The meetings of the panels the user administers, and those they are invited to while
    they are a chair or member of the panel."""
    administered = panel_ids_where(user, *CASE_WORKERS)
    reading = panel_ids_where(user, *READERS)
    if not administered and not reading:
        return Meeting.objects.none()
    invited = Exists(Invitation.objects.filter(meeting=OuterRef("pk"), user=user))
    return Meeting.objects.filter(
        Q(panel_id__in=administered) | (Q(panel_id__in=reading) & invited)
    )


def may_prepare_meeting(user: User, meeting: Meeting) -> bool:
    return holds_role_in_panel(user, meeting.panel_id, *CASE_WORKERS)


def may_see_meetings(user: User) -> bool:
    """Administrators, chairs and members: the people of panel meetings."""
    return bool(panel_ids_where(user, *CASE_WORKERS, *READERS))


def may_schedule_meetings(user: User) -> bool:
    return bool(panel_ids_where(user, *CASE_WORKERS))


def is_invited(user: User, meeting: Meeting) -> bool:
    return Invitation.objects.filter(meeting=meeting, user=user).exists()


def may_run_meeting(user: User, meeting: Meeting) -> bool:
    """The panel's chair, invited to it, while it is being prepared or held."""
    return (
        meeting.is_open_for_changes
        and holds_role_in_panel(user, meeting.panel_id, *CHAIRS)
        and is_invited(user, meeting)
    )


def papers_open_now(meeting: Meeting) -> bool:
    """Inside the window: from the release time until the set time after the meeting."""
    now = timezone.now()
    return (
        meeting.status != MeetingStatus.CANCELLED
        and meeting.papers_from is not None
        and meeting.papers_from <= now < meeting.papers_close_at
    )


def may_read_papers(user: User, meeting: Meeting) -> bool:
    """The meeting's papers, as a whole: its administrators always; an invited chair or
    member of the panel inside the window."""
    if may_prepare_meeting(user, meeting):
        return True
    return (
        holds_role_in_panel(user, meeting.panel_id, *READERS)
        and is_invited(user, meeting)
        and papers_open_now(meeting)
    )


def items_readable_by(user: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda cases whose papers the user may read: every one for its administrators; for
    a reader inside the window, those they have not declared an interest in."""
    items = AgendaItem.objects.filter(meeting=meeting)
    if may_prepare_meeting(user, meeting):
        return items
    if not may_read_papers(user, meeting):
        return items.none()
    return items.exclude(Exists(Declaration.objects.filter(item=OuterRef("pk"), user=user)))


def has_declared(user: User, item: AgendaItem) -> bool:
    return Declaration.objects.filter(item=item, user=user).exists()


def may_record_analysis(user: User, item: AgendaItem) -> bool:
    """The analysis is written at the meeting, by its chair (or the administrator minuting
    for them), for a case still to decide."""
    meeting = item.meeting
    return (
        item.outcome == "pending"
        and meeting.status == MeetingStatus.IN_PROGRESS
        and (may_run_meeting(user, meeting) or may_prepare_meeting(user, meeting))
    )


def may_reveal(user: User, item: AgendaItem) -> bool:
    """The chair, during the meeting, for a case they may read and still to decide."""
    return (
        item.meeting.status == MeetingStatus.IN_PROGRESS
        and may_run_meeting(user, item.meeting)
        and not has_declared(user, item)
    )


def may_track_actions(user: User) -> bool:
    """The administrators follow up the panel's actions."""
    return bool(panel_ids_where(user, *CASE_WORKERS))
