"""The people and things the authorization matrix runs against.

Two panels (BEDS, the one under test, and MK, somebody else's), agency A serving BEDS and
agency B serving MK, and one person per persona. Object-scoped URLs are filled with BEDS's
objects, so a persona who may not see them must get 404.
"""

from dataclasses import dataclass

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from accounts.models import Agency, AgencyMembership, AgencyRole, AgencyType, PanelRole, User
from accounts.services import (
    agency_create,
    agency_membership_add,
    panel_membership_add,
    user_create,
)
from cases.models import Case, Notification
from core.history import system_user
from panels.models import Panel
from panels.services import panel_setup
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

PERSONAS = [
    ANONYMOUS, PASSWORD_ONLY, DEACTIVATED, ADMINISTRATOR, OTHER_ADMINISTRATOR, CHAIR, MEMBER,
    MANAGER, AGENCY_A_USER, AGENCY_A_LEAD, AGENCY_B_USER, SYSTEM_ADMINISTRATOR,
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
    assert Group.objects.filter(name="system administrators").exists()
    # BEDS has an open case and two new notifications of one child (a possible duplicate).
    case = make_case(beds, system)
    notification = make_notification(beds, system, nhs_number="4010232137")
    other_notification = make_notification(beds, system, nhs_number="4010232137")
    return World(
        beds=beds,
        mk=mk,
        agency_a=agency_a,
        agency_b=agency_b,
        people=people,
        membership_a=membership_a,
        case=case,
        notification=notification,
        other_notification=other_notification,
    )
