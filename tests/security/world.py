"""The people and things the authorization matrix runs against.

Two panels (BEDS, the one under test, and MK, somebody else's), agency A serving BEDS and
agency B serving MK, and one person per persona. Object-scoped URLs are filled with BEDS's
objects, so a persona who may not see them must get 404.
"""

import contextlib
from dataclasses import dataclass

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency, AgencyMembership, AgencyRole, AgencyType, PanelRole, User
from accounts.services import (
    agency_create,
    agency_membership_add,
    panel_membership_add,
    panel_membership_remove,
    user_create,
)
from agency_forms.models import FormAttachment, FormRequest
from agency_forms.services import (
    form_attachment_add,
    form_request_reassign,
    form_request_save,
    form_request_submit,
    form_requests_send,
)
from cases.models import Case, CaseExport, CaseNote, Notification, Transfer
from cases.services import (
    ActionRecord,
    FactorRecord,
    case_note_add,
    case_record_analysis,
    transfer_offer,
)
from core.history import system_user
from core.models import OutboxEmail
from meetings.models import AgendaItem, FollowUp, Invitation, LearningDigest, Meeting
from meetings.services import digest_create, follow_ups_draft
from panels.models import AnalysisAction, Factor, Panel
from panels.services import panel_setup
from rapid_response.models import (
    EpisodeAction,
    RapidResponseCriterion,
    RapidResponseEpisode,
    TeamMember,
    TeamRole,
)
from rapid_response.services import action_add, episode_open, team_member_add
from tests.agency_forms.factories import answer_everything
from tests.cases.factories import make_case, make_notification

PASSWORD = "a-long-test-password-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ANONYMOUS = "anonymous"
PASSWORD_ONLY = "password_only"  # signed in, two-factor not set up
DEACTIVATED = "deactivated"  # signed in, then the account was deactivated
ADMINISTRATOR = "administrator"  # CDOP administrator of BEDS
OTHER_ADMINISTRATOR = "other_administrator"  # CDOP administrator of MK only
CHAIR = "chair"
MEMBER = "member"
MANAGER = "manager"
AGENCY_A_USER = "agency_a_user"
AGENCY_A_LEAD = "agency_a_lead"
AGENCY_B_USER = "agency_b_user"
SYSTEM_ADMINISTRATOR = "system_administrator"
# People whose roles changed after they were given: each must now be treated exactly like the
# persona in LIKE, from their very next request (access is read from the roles as they are).
TWO_PANEL_ADMINISTRATOR = "two_panel_administrator"  # administrator of BEDS and of MK
MOVED_ADMINISTRATOR = "moved_administrator"  # was BEDS's administrator, moved to MK
DEMOTED_ADMINISTRATOR = "demoted_administrator"  # was BEDS's administrator, now a member
ROLES_REMOVED = "roles_removed"  # was BEDS's administrator, every role removed
SELF_GRANTING_SYSADMIN = "self_granting_sysadmin"  # tried to make themselves an administrator
REASSIGNED_AGENCY_USER = "reassigned_agency_user"  # of agency A: was given the form, then not

LIKE = {
    TWO_PANEL_ADMINISTRATOR: ADMINISTRATOR,
    MOVED_ADMINISTRATOR: OTHER_ADMINISTRATOR,
    DEMOTED_ADMINISTRATOR: MEMBER,
    ROLES_REMOVED: MEMBER,
    SELF_GRANTING_SYSADMIN: SYSTEM_ADMINISTRATOR,
    REASSIGNED_AGENCY_USER: AGENCY_A_USER,
}

PERSONAS = [
    ANONYMOUS, PASSWORD_ONLY, DEACTIVATED, ADMINISTRATOR, OTHER_ADMINISTRATOR, CHAIR, MEMBER,
    MANAGER, AGENCY_A_USER, AGENCY_A_LEAD, AGENCY_B_USER, SYSTEM_ADMINISTRATOR, *LIKE,
]  # fmt: skip


@dataclass
class World:
    beds: Panel
    mk: Panel
    agency_a: Agency
    agency_b: Agency
    people: dict[str, User]
    membership_a: AgencyMembership
    case: Case
    notification: Notification
    other_notification: Notification
    mk_case: Case
    mk_notification: Notification
    transfer: Transfer  # MK offers a notification to BEDS
    beds_email: OutboxEmail  # telling BEDS's administrator of a role given in BEDS
    note: CaseNote  # written by BEDS's administrator on the case
    case_export: CaseExport  # a spreadsheet of BEDS's cases, written for its administrator
    form_request: FormRequest  # agency A's reporting form on a second BEDS case: a draft
    # given by the lead to REASSIGNED_AGENCY_USER, then to AGENCY_A_USER, with a file attached
    submitted_request: FormRequest  # agency A's SUDI form on the same case, submitted
    attachment: FormAttachment  # on the draft
    episode: RapidResponseEpisode  # on the BEDS case: agency A's user is on its team
    outside_member: TeamMember  # a named outside person on the episode's team
    action: EpisodeAction  # owned by agency A's user
    meeting: Meeting  # BEDS's, tomorrow, papers open: the chair, the member and the demoted
    # administrator (a member now) invited
    invitation: Invitation  # the member's
    item: AgendaItem  # a BEDS case on its agenda
    analysis_action: AnalysisAction  # of the analysis recorded so far of the agenda's case
    follow_up: FollowUp  # the genetic counselling letter its consanguinity drafts
    digest: LearningDigest  # BEDS's, of today's closures (none)


def build_world() -> World:
    system = system_user()
    beds = panel_setup(code="BEDS", name="Bedfordshire CDOP", areas=["Luton"], by=system).panel
    mk = panel_setup(code="MK", name="Milton Keynes CDOP", areas=["Milton Keynes"], by=system).panel
    agency_a = agency_create(
        name="Agency A Police", agency_type=AgencyType.POLICE, panels=[beds], by=system
    )
    agency_b = agency_create(
        name="Agency B Trust", agency_type=AgencyType.ACUTE_TRUST, panels=[mk], by=system
    )

    def person(name: str, *, staff: bool = False, enrol: bool = True) -> User:
        user = user_create(
            email=f"{name}@example.org",
            full_name=name.replace("_", " ").title(),
            password=PASSWORD,
            is_staff=staff,
            by=system,
        )
        if enrol:  # as the enrolment page does: an authenticator app and recovery codes
            TOTP.activate(user, TOTP_SECRET)
            RecoveryCodes.activate(user)
        return user

    people = {
        PASSWORD_ONLY: person(PASSWORD_ONLY, enrol=False),
        DEACTIVATED: person(DEACTIVATED),
        ADMINISTRATOR: person(ADMINISTRATOR),
        OTHER_ADMINISTRATOR: person(OTHER_ADMINISTRATOR),
        CHAIR: person(CHAIR),
        MEMBER: person(MEMBER),
        MANAGER: person(MANAGER),
        AGENCY_A_USER: person(AGENCY_A_USER),
        AGENCY_A_LEAD: person(AGENCY_A_LEAD),
        AGENCY_B_USER: person(AGENCY_B_USER),
        SYSTEM_ADMINISTRATOR: person(SYSTEM_ADMINISTRATOR, staff=True),
        SELF_GRANTING_SYSADMIN: person(SELF_GRANTING_SYSADMIN, staff=True),
        TWO_PANEL_ADMINISTRATOR: person(TWO_PANEL_ADMINISTRATOR),
        MOVED_ADMINISTRATOR: person(MOVED_ADMINISTRATOR),
        DEMOTED_ADMINISTRATOR: person(DEMOTED_ADMINISTRATOR),
        ROLES_REMOVED: person(ROLES_REMOVED),
        REASSIGNED_AGENCY_USER: person(REASSIGNED_AGENCY_USER),
    }
    for persona, role in [
        (ADMINISTRATOR, PanelRole.ADMINISTRATOR),
        (CHAIR, PanelRole.CHAIR),
        (MEMBER, PanelRole.MEMBER),
        (MANAGER, PanelRole.MANAGER),
        (DEACTIVATED, PanelRole.ADMINISTRATOR),
        (PASSWORD_ONLY, PanelRole.ADMINISTRATOR),
    ]:
        panel_membership_add(user=people[persona], panel=beds, role=role, by=system)
    panel_membership_add(
        user=people[OTHER_ADMINISTRATOR], panel=mk, role=PanelRole.ADMINISTRATOR, by=system
    )
    membership_a = agency_membership_add(
        user=people[AGENCY_A_USER], agency=agency_a, role=AgencyRole.USER, by=system
    )
    agency_membership_add(
        user=people[AGENCY_A_LEAD], agency=agency_a, role=AgencyRole.LEAD, by=system
    )
    agency_membership_add(
        user=people[AGENCY_B_USER], agency=agency_b, role=AgencyRole.USER, by=system
    )
    agency_membership_add(
        user=people[REASSIGNED_AGENCY_USER], agency=agency_a, role=AgencyRole.USER, by=system
    )
    # The people whose roles changed, changed as the user pages change them (the services).
    granter = people[SYSTEM_ADMINISTRATOR]
    for persona in (TWO_PANEL_ADMINISTRATOR, MOVED_ADMINISTRATOR, DEMOTED_ADMINISTRATOR):
        panel_membership_add(
            user=people[persona], panel=beds, role=PanelRole.ADMINISTRATOR, by=granter
        )
    panel_membership_add(
        user=people[TWO_PANEL_ADMINISTRATOR], panel=mk, role=PanelRole.ADMINISTRATOR, by=granter
    )
    removed = panel_membership_add(
        user=people[ROLES_REMOVED], panel=beds, role=PanelRole.ADMINISTRATOR, by=granter
    )
    agency_membership_add(
        user=people[ROLES_REMOVED], agency=agency_a, role=AgencyRole.USER, by=granter
    )
    # Once somebody has looked at the cases with the role, so nothing could linger in a cache.
    moved = people[MOVED_ADMINISTRATOR].panel_memberships.get(panel=beds)
    panel_membership_remove(membership=moved, by=granter)
    panel_membership_add(
        user=people[MOVED_ADMINISTRATOR], panel=mk, role=PanelRole.ADMINISTRATOR, by=granter
    )
    demoted = people[DEMOTED_ADMINISTRATOR].panel_memberships.get(panel=beds)
    panel_membership_remove(membership=demoted, by=granter)
    panel_membership_add(
        user=people[DEMOTED_ADMINISTRATOR], panel=beds, role=PanelRole.MEMBER, by=granter
    )
    panel_membership_remove(membership=removed, by=granter)
    for membership in people[ROLES_REMOVED].agency_memberships.all():
        from accounts.services import agency_membership_remove

        agency_membership_remove(membership=membership, by=granter)
    sysadmin = people[SELF_GRANTING_SYSADMIN]
    with contextlib.suppress(ValidationError):
        panel_membership_add(user=sysadmin, panel=beds, role=PanelRole.ADMINISTRATOR, by=sysadmin)
    assert not sysadmin.panel_memberships.exists()
    # BEDS has an open case and two new notifications of one child (a possible duplicate).
    case = make_case(beds, system)
    notification = make_notification(beds, system, nhs_number="4010232137")
    other_notification = make_notification(beds, system, nhs_number="4010232137")
    mk_area = mk.areas.get()
    mk_case = make_case(mk, system, area=mk_area)
    mk_notification = make_notification(mk, system, area=mk_area, nhs_number="4010232137")
    offered = make_notification(mk, system, area=mk_area, family_name="Elsewhere")
    transfer = transfer_offer(
        notification=offered, to_panel=beds, reason="Lived in Luton", by=people[OTHER_ADMINISTRATOR]
    )
    asked = make_case(beds, system, family_name="Asked")
    form_request, submitted_request = form_requests_send(
        case=asked, agencies=[agency_a], supplementary=["sudi"], by=people[ADMINISTRATOR]
    )
    lead = people[AGENCY_A_LEAD]
    for person_given in (REASSIGNED_AGENCY_USER, AGENCY_A_USER):
        form_request = form_request_reassign(
            form_request=form_request, to=people[person_given], by=lead
        )
    answer_everything(submitted_request, people[AGENCY_A_USER])
    submitted_request.refresh_from_db()
    submitted_request = form_request_submit(
        form_request=submitted_request, version=submitted_request.version, by=lead
    )
    form_request = form_request_save(
        form_request=form_request,
        section_key="A",
        answers={"a_family_name": "Asked"},
        version=form_request.version,
        by=people[AGENCY_A_USER],
    )
    attachment = form_attachment_add(
        form_request=form_request,
        name="report.pdf",
        content=b"%PDF-1.4 our report",
        description="",
        by=people[AGENCY_A_USER],
    )
    episode = episode_open(
        case=case,
        criteria=list(RapidResponseCriterion.objects.all()[:1]),
        started_at=timezone.now(),
        by=people[ADMINISTRATOR],
    )
    team_member_add(
        episode=episode, role=TeamRole.POLICE, user=people[AGENCY_A_USER], by=people[ADMINISTRATOR]
    )
    outside = team_member_add(
        episode=episode, role=TeamRole.OTHER, name="Dr Outside", by=people[ADMINISTRATOR]
    )
    action = action_add(
        episode=episode,
        description="Check the siblings' school",
        owner=people[AGENCY_A_USER],
        due_on=timezone.localdate(),
        by=people[ADMINISTRATOR],
    )
    meeting, invitation, item = _a_meeting(beds, people)
    analysis = case_record_analysis(
        case=item.case,
        by=people[ADMINISTRATOR],
        primary_category=7,
        modifiable="yes",
        factors=[FactorRecord(Factor.objects.get(code="consanguinity"), "B", modifiable=True)],
        actions=[ActionRecord("Write to the GP about genetic counselling", owner="CDOP")],
    )
    [follow_up] = follow_ups_draft(case=item.case, by=people[ADMINISTRATOR])
    today = timezone.localdate()
    digest = digest_create(
        panel=beds, title="Information sheet", start=today, end=today, by=people[ADMINISTRATOR]
    )
    return World(
        digest=digest,
        follow_up=follow_up,
        analysis_action=analysis.actions.get(),
        meeting=meeting,
        invitation=invitation,
        item=item,
        episode=episode,
        outside_member=outside,
        action=action,
        form_request=form_request,
        submitted_request=submitted_request,
        attachment=attachment,
        case_export=written_export(people[ADMINISTRATOR]),
        beds=beds,
        mk=mk,
        agency_a=agency_a,
        agency_b=agency_b,
        people=people,
        membership_a=membership_a,
        case=case,
        notification=notification,
        other_notification=other_notification,
        mk_case=mk_case,
        mk_notification=mk_notification,
        transfer=transfer,
        beds_email=OutboxEmail.objects.filter(panel=beds, kind="role_granted").first(),
        note=case_note_add(
            case=case,
            kind="call",
            occurred_on=case.date_notified,
            text="Spoke to the coroner's officer",
            by=people[ADMINISTRATOR],
        ),
    )


def _a_meeting(beds: Panel, people: dict[str, User]):
    """BEDS's next meeting (tomorrow) with one case on its agenda and another ready for it,
    its papers open since yesterday."""
    from datetime import timedelta

    from cases.services import case_mark_ready_for_panel
    from meetings.services import agenda_add, meeting_invite, meeting_schedule, meeting_update

    administrator = people[ADMINISTRATOR]
    meeting = meeting_schedule(
        panel=beds,
        starts_at=timezone.now() + timedelta(days=1),
        place="Room 4",
        by=administrator,
    )
    invited = [people[CHAIR], people[MEMBER], people[DEMOTED_ADMINISTRATOR]]
    meeting_invite(meeting=meeting, users=invited, by=administrator)
    meeting = meeting_update(
        meeting=meeting, papers_from=timezone.now() - timedelta(days=1), by=administrator
    )
    on_agenda = case_mark_ready_for_panel(
        case=make_case(beds, administrator, family_name="Agenda"), by=administrator
    )
    case_mark_ready_for_panel(
        case=make_case(beds, administrator, family_name="Ready"), by=administrator
    )
    item = agenda_add(meeting=meeting, case=on_agenda, by=administrator)
    return meeting, meeting.invitations.get(user=people[MEMBER]), item


def written_export(user: User) -> CaseExport:
    """A large spreadsheet of the user's cases, asked for and written as the pages do."""
    from django.test import RequestFactory

    from accounts.access_log import record_access
    from accounts.permissions import panel_ids_where
    from cases.exports import case_export_request, case_export_write
    from cases.permissions import CASE_WORKERS
    from cases.selectors import CaseFilters
    from core.models import AccessAction

    request = RequestFactory().post("/cases/exports/")
    request.user = user
    event = record_access(request, action=AccessAction.EXPORT, model=Case, row_count=1)
    export = case_export_request(
        by=user,
        filters=CaseFilters(),
        panel_ids=panel_ids_where(user, *CASE_WORKERS),
        event=event,
        rows=1,
    )
    return case_export_write(export.pk) or CaseExport.objects.get(pk=export.pk)
