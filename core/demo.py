"""Synthetic demonstration data: one panel, its areas and wards, agencies and a user per role.

Everything here is invented. Running it again creates nothing new (each object is looked up
by its natural key first).
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Agency, AgencyRole, AgencyType, PanelRole, User
from accounts.services import (
    agency_create,
    agency_membership_add,
    panel_membership_add,
    user_create,
)
from panels.models import Panel
from panels.services import panel_setup, ward_get_or_add

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (a published demo sign-in, never production)

PANEL_CODE = "BEDS"
PANEL_NAME = "Bedfordshire Child Death Overview Panel"
WARDS = {
    "Luton": ["Biscot", "Dallow", "High Town", "Lewsey", "Sundon Park"],
    "Bedford Borough": ["Castle", "Cauldwell", "Kempston Central", "Queens Park"],
    "Central Bedfordshire": ["Dunstable Central", "Houghton Regis", "Leighton Buzzard North"],
}
AGENCIES = [
    ("Bedfordshire Police", AgencyType.POLICE),
    ("Luton and Dunstable University Hospital", AgencyType.ACUTE_TRUST),
    ("Bedford Hospital", AgencyType.ACUTE_TRUST),
    ("Cambridgeshire Community Services", AgencyType.COMMUNITY_TRUST),
    ("East of England Ambulance Service", AgencyType.AMBULANCE),
    ("Luton Children's Social Care", AgencyType.SOCIAL_CARE),
    ("Bedford Borough Children's Services", AgencyType.SOCIAL_CARE),
    ("Central Bedfordshire Children's Services", AgencyType.SOCIAL_CARE),
    ("Oakwood Primary School (demo)", AgencyType.EDUCATION),
    ("Keech Hospice Care", AgencyType.HOSPICE),
    ("Bedfordshire and Luton Coroner's Office", AgencyType.CORONER),
    ("High Street Surgery (demo)", AgencyType.GP_PRACTICE),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str  # what the sign-in list says


DEMO_PANEL_USERS = [
    (
        DemoUser("administrator@cdop.example", "Alex Administrator", "CDOP administrator"),
        PanelRole.ADMINISTRATOR,
    ),
    (DemoUser("chair@cdop.example", "Chris Chair", "Panel chair"), PanelRole.CHAIR),
    (DemoUser("member@cdop.example", "Morgan Member", "Panel member"), PanelRole.MEMBER),
    (DemoUser("manager@cdop.example", "Sam Manager", "Manager or analyst"), PanelRole.MANAGER),
]
DEMO_AGENCY_USERS = [
    (
        DemoUser("police@cdop.example", "Pat Police", "Agency user (police)"),
        "Bedfordshire Police",
        AgencyRole.USER,
    ),
    (
        DemoUser("police.lead@cdop.example", "Lee Lead", "Agency lead (police)"),
        "Bedfordshire Police",
        AgencyRole.LEAD,
    ),
    (
        DemoUser("hospital@cdop.example", "Harper Hospital", "Agency user (hospital trust)"),
        "Luton and Dunstable University Hospital",
        AgencyRole.USER,
    ),
]
DEMO_SYSTEM_ADMIN = DemoUser("sysadmin@cdop.example", "Sid Sysadmin", "System administrator")


def demo_users() -> list[DemoUser]:
    return [
        *(u for u, _ in DEMO_PANEL_USERS),
        *(u for u, _, _ in DEMO_AGENCY_USERS),
        DEMO_SYSTEM_ADMIN,
    ]


def _user(demo: DemoUser, *, by: User, is_staff: bool = False) -> User:
    user = User.objects.filter(email=demo.email).first()
    if user is None:
        user = user_create(
            email=demo.email,
            full_name=demo.full_name,
            password=DEMO_PASSWORD,
            is_staff=is_staff,
            by=by,
        )
    return user


@transaction.atomic
def load_demo(*, by: User) -> Panel:
    panel = panel_setup(code=PANEL_CODE, name=PANEL_NAME, areas=list(WARDS), by=by).panel
    for area in panel.areas.all():
        for ward_name in WARDS.get(area.name, []):
            ward_get_or_add(area=area, name=ward_name, by=by)

    agencies = {a.name: a for a in Agency.objects.filter(name__in=[n for n, _ in AGENCIES])}
    for name, agency_type in AGENCIES:
        if name not in agencies:
            agencies[name] = agency_create(
                name=name, agency_type=agency_type, panels=[panel], by=by
            )

    for demo, role in DEMO_PANEL_USERS:
        panel_membership_add(user=_user(demo, by=by), panel=panel, role=role, by=by)
    for demo, agency_name, role in DEMO_AGENCY_USERS:
        agency_membership_add(
            user=_user(demo, by=by), agency=agencies[agency_name], role=role, by=by
        )
    _user(DEMO_SYSTEM_ADMIN, by=by, is_staff=True)
    return panel
