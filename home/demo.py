"""Synthetic demonstration data: one panel, its areas and wards, agencies and a user per role.

Everything here is invented. Running it again creates nothing new (each object is looked up
by its natural key first).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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
    load_demo_cases(panel, by=by)
    return panel


# Synthetic children: (family name, given names, sex, age in days at death, months since death,
# area, place of death, death type, where the case has got to)
DEMO_CHILDREN = [
    ("Ashdown", "Mia", "female", 40, 1, "Luton", "home", "unexpected", "notified"),
    (
        "Brook",
        "Oliver",
        "male",
        3,
        2,
        "Bedford Borough",
        "hospital_neonatal_unit",
        "expected",
        "information_gathering",
    ),
    (
        "Carrow",
        "Isla",
        "female",
        2900,
        4,
        "Central Bedfordshire",
        "public_place",
        "unexpected",
        "information_gathering",
    ),
    ("Dunmore", "Theo", "male", 5200, 7, "Luton", "home", "unexpected", "paused"),
    (
        "Ellery",
        "Ava",
        "female",
        700,
        8,
        "Bedford Borough",
        "hospital_picu",
        "expected",
        "ready_for_panel",
    ),
    (
        "Fenwick",
        "Noah",
        "male",
        6100,
        10,
        "Central Bedfordshire",
        "hospital_ed",
        "unexpected",
        "scheduled",
    ),
    ("Garland", "Lily", "female", 15, 13, "Luton", "hospital_neonatal_unit", "expected", "closed"),
    ("Hartley", "Jack", "male", 1800, 14, "Bedford Borough", "hospice", "expected", "closed"),
]
DEMO_TRIAGE = [
    # A new notification, and a second one of the Ashdown death from the police: a duplicate.
    ("Iverson", "Freya", "female", 3300, 0, "Luton", "hospital_ed", "not_determined", None),
    ("Ashdown", "Mia", "female", 40, 1, "Luton", "home", "unexpected", None),
]


def _demo_notification(panel, child, *, by, notifier: str):
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from cases.models import NotificationSource, PlaceOfDeath, Sex
    from cases.services import notification_record

    family, given, sex, age_days, months_ago, area, place, death_type, _ = child
    today = timezone.localdate()
    died = today - relativedelta(months=months_ago) - timedelta(days=3)
    return notification_record(
        panel=panel,
        source=NotificationSource.ADMINISTRATOR,
        fields={
            "family_name": family,
            "given_names": given,
            "sex": Sex.objects.get(code=sex),
            "date_of_birth": died - timedelta(days=age_days),
            "date_of_death": died,
            "nhs_number": "",
            "nhs_number_absent_reason": "not_available",
            "area": panel.areas.get(name=area),
            "place_of_death": PlaceOfDeath.objects.get(code=place),
            "death_type": death_type,
            "circumstances": "Synthetic demonstration record.",
            "notifier_name": "Demo Notifier",
            "notifier_organisation": notifier,
            "notified_on": died + timedelta(days=1),
        },
        by=by,
    )


def load_demo_cases(panel: Panel, *, by: User) -> None:
    """Cases in every stage and two notifications in triage; skipped if already there."""
    from cases import services
    from cases.models import Notification

    if Notification.objects.filter(panel=panel, family_name="Ashdown").exists():
        return
    to_discuss = []
    for child in DEMO_CHILDREN:
        case = services.case_open(
            notification=_demo_notification(panel, child, by=by, notifier="Demo Hospital"),
            by=by,
        )
        stage = child[-1]
        if stage in ("information_gathering", "paused"):
            case = services.case_start_information_gathering(case=case, by=by)
        if stage == "paused":
            services.case_pause(case=case, reason="Inquest", by=by)
        if stage in ("ready_for_panel", "scheduled", "closed"):
            case = services.case_mark_ready_for_panel(case=case, by=by)
        if stage == "scheduled":
            to_discuss.append(case)
        if stage == "closed":
            from dateutil.relativedelta import relativedelta

            reviewed = case.date_of_death + relativedelta(months=11)
            services.case_record_analysis(
                case=case,
                by=by,
                primary_category=8,
                modifiable="no",
                summary="Synthetic demonstration analysis.",
            )
            services.case_close(case=case, review_date=reviewed, by=by)
    for child in DEMO_TRIAGE:
        _demo_notification(panel, child, by=by, notifier="Demo Police")
    load_demo_requests(panel, by=by)
    load_demo_rapid_response(panel, by=by)
    load_demo_meeting(panel, to_discuss, by=by)


def load_demo_meeting(panel: Panel, cases: list, *, by: User) -> None:
    """Next week's panel meeting: the demo chair and member invited, the papers open, the
    scheduled cases on its agenda (the chair can run it at once)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from meetings import services as meetings

    admin = User.objects.get(email=DEMO_PANEL_USERS[0][0].email)
    day = timezone.localdate() + timedelta(days=7)
    meeting = meetings.meeting_schedule(
        panel=panel,
        starts_at=timezone.make_aware(datetime.combine(day, time(10, 0))),
        place="Committee Room 2, Borough Hall",
        link="https://meet.example.org/cdop-demo",
        by=admin,
    )
    readers = [
        d.email for d, role in DEMO_PANEL_USERS if role in (PanelRole.CHAIR, PanelRole.MEMBER)
    ]
    invited = list(User.objects.filter(email__in=readers).order_by("email"))
    meetings.meeting_invite(meeting=meeting, users=invited, by=admin)
    meetings.meeting_update(meeting=meeting, papers_from=timezone.now(), by=admin)
    for case in cases:
        meetings.agenda_add(meeting=meeting, case=case, minutes=30, by=admin)


def load_demo_rapid_response(panel: Panel, *, by: User) -> None:
    """A rapid response in progress for Carrow (planning held, the visit recorded, open
    actions for the police), and the clock run: the unexpected deaths with no planning
    discussion are flagged on the administrator's dashboard."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from cases.models import Case
    from rapid_response import services
    from rapid_response.clock import rapid_response_clock
    from rapid_response.models import RapidResponseCriterion, StageKind, TeamRole

    admin = User.objects.get(email="administrator@cdop.example")
    police_user = User.objects.get(email="police@cdop.example")
    case = Case.objects.get(panel=panel, family_name="Carrow")
    started = timezone.make_aware(datetime.combine(case.date_notified, time(9, 30)))
    episode = services.episode_open(
        case=case,
        criteria=list(RapidResponseCriterion.objects.filter(code="external_causes")),
        started_at=started,
        summary="Synthetic demonstration: a child struck by a car near home.",
        by=admin,
    )
    services.team_member_add(episode=episode, role=TeamRole.POLICE, user=police_user, by=admin)
    services.team_member_add(
        episode=episode,
        role=TeamRole.LEAD_HEALTH,
        name="Dr Demo Paediatrician",
        organisation="Luton and Dunstable University Hospital",
        contact="01582 000000",
        by=admin,
    )
    services.stage_record(
        episode=episode,
        kind=StageKind.PLANNING,
        held_at=started + timedelta(hours=3),
        attendees="Dr Demo Paediatrician, Pat Police, duty social worker",
        notes="Synthetic demonstration notes.",
        decisions="Scene visit with the police; check the siblings' school.",
        by=admin,
    )
    services.stage_record(
        episode=episode,
        kind=StageKind.VISIT,
        held_at=started + timedelta(days=1),
        attendees="Pat Police, Dr Demo Paediatrician",
        notes="Synthetic demonstration notes.",
        decisions="",
        by=police_user,
    )
    today = timezone.localdate()
    for description, due in (
        ("Share the collision report with the panel", today + timedelta(days=7)),
        ("Confirm the siblings' school has been told", today - timedelta(days=2)),
    ):
        services.action_add(
            episode=episode, description=description, owner=police_user, due_on=due, by=admin
        )
    rapid_response_clock(panel=panel)


def demo_answer_form(form_request, by: User, sections: list[str] | None = None, **special):
    """Answer every question of the sections (all of them by default) through the form's
    save service, as an agency would: `special` gives answers by question key."""
    from agency_forms.services import form_request_save

    for section in form_request.definition.sections:
        if sections is not None and section["key"] not in sections:
            continue
        answers = {}
        for question in section["questions"]:
            key = question["key"]
            if key in special:
                answers[key] = special[key]
            elif question["type"] == "yes_no":
                answers[key] = ("not_known", "")
            elif question["type"] == "choice":
                answers[key] = question["options"][-1]["value"]
            elif question["type"] in ("text", "narrative"):
                answers[key] = f"Answer to {key}"
        form_request.refresh_from_db()
        form_request = form_request_save(
            form_request=form_request,
            section_key=section["key"],
            answers=answers,
            version=form_request.version,
            by=by,
        )
    return form_request


def load_demo_requests(panel: Panel, *, by: User) -> None:
    """Reporting form requests in every status, as the agencies and the administrator left
    them: overdue with reminders sent, a draft, submitted, returned for amendment, waived,
    and a paused case with all its information in."""
    from datetime import timedelta

    from django.utils import timezone

    from agency_forms import services
    from agency_forms.chasing import form_requests_chase, working_days_before
    from cases.models import Case
    from core.working_days import add_working_days

    admin = User.objects.get(email="administrator@cdop.example")
    police_user = User.objects.get(email="police@cdop.example")
    hospital_user = User.objects.get(email="hospital@cdop.example")
    police = Agency.objects.get(name="Bedfordshire Police")
    hospital = Agency.objects.get(name="Luton and Dunstable University Hospital")
    bedford = Agency.objects.get(name="Bedford Hospital")
    cases = {c.family_name: c for c in Case.objects.filter(panel=panel)}
    today = timezone.localdate()

    # Carrow: the police's forms went out 30 days ago and are overdue; the beat chased them
    # on each step of the ladder. The hospital has a draft.
    long_ago = today - timedelta(days=30)
    sent = services.form_requests_send(
        case=cases["Carrow"],
        agencies=[police],
        supplementary=["road_traffic_collision"],
        by=admin,
        sent_on=long_ago,
    )
    due = sent[0].due_on
    for step in (working_days_before(due, 3), due, add_working_days(due, 5)):
        if step <= today:
            form_requests_chase(panel=panel, today=step)
    [draft] = services.form_requests_send(
        case=cases["Carrow"], agencies=[hospital], supplementary=[], by=admin
    )
    demo_answer_form(draft, hospital_user, sections=["A", "B"])

    # Brook: the hospital submitted; the police's form came back for amendment; Bedford
    # Hospital had no involvement, so its request was waived.
    submitted, returned, waived = services.form_requests_send(
        case=cases["Brook"], agencies=[hospital, police, bedford], supplementary=[], by=admin
    )
    for form_request, person in ((submitted, hospital_user), (returned, police_user)):
        form_request = demo_answer_form(form_request, person)
        services.form_request_submit(
            form_request=form_request, version=form_request.version, by=person
        )
    returned.refresh_from_db()
    services.form_request_return(
        form_request=returned,
        reason="Section E: please list the contacts in the last 12 months",
        due_on=add_working_days(today, 5),
        by=admin,
    )
    services.form_request_waive(form_request=waived, reason="No contact with the family", by=admin)

    # Dunmore, paused for an inquest: the police's form is in, so all information is in.
    [paused] = services.form_requests_send(
        case=cases["Dunmore"], agencies=[police], supplementary=[], by=admin
    )
    paused = demo_answer_form(paused, police_user)
    services.form_request_submit(form_request=paused, version=paused.version, by=police_user)


# --- A synthetic history, for `import_cases` at scale (the benchmark and the suite) -------

HISTORY_HEADER = (
    "case_ref,area,ward,sex,date_of_birth,date_of_death,date_notified,death_type,"
    "ethnicity,place_of_death,gestation_weeks,rapid_response,review_date,category,"
    "modifiable,factors"
)
_PLACES = ["home", "hospital_ed", "hospital_picu", "hospital_neonatal_unit", "hospice"]
_FACTORS = ["smoking", "unsafe_sleeping", "housing", "driving", "neglect", "access_to_care"]


def history_csv_lines(count: int, *, seed: int = 1) -> Iterator[str]:
    """`count` invented rows of a panel's history in the import format (interfaces.md), for
    the demo panel's areas and wards: the header, then one line per death, about two thirds of
    all but the last two years' reviewed. The same seed gives the same lines."""
    chance = random.Random(seed)  # noqa: S311 -- invented figures, not a secret
    areas = list(WARDS)
    first = date(2008, 4, 1)
    span = (date(2026, 3, 31) - first).days
    yield HISTORY_HEADER
    for n in range(1, count + 1):
        area = chance.choice(areas)
        ward = chance.choice([*WARDS[area], ""])
        died = first + timedelta(days=chance.randrange(span))
        born = died - timedelta(days=chance.randrange(0, 17 * 365))
        notified = died + timedelta(days=chance.randrange(0, 5))
        reviewed = ""
        category = modifiable = factors = ""
        # As in a real history: nearly every death more than two years back has been reviewed;
        # about half of the last two years' are still open.
        if chance.random() < (0.98 if died < date(2024, 4, 1) else 0.5):
            review = notified + timedelta(days=chance.randrange(90, 500))
            reviewed = min(review, date(2026, 6, 30)).isoformat()
            category = str(chance.randrange(1, 11))
            modifiable = chance.choice(["yes", "no", "no", "insufficient_information"])
            if modifiable == "yes":
                factors = ";".join(chance.sample(_FACTORS, chance.randrange(0, 3)))
        neonatal = (died - born).days < 28
        yield ",".join(
            [
                f"H-{n:06d}",
                area,
                ward,
                chance.choice(["male", "female"]),
                born.isoformat(),
                died.isoformat(),
                notified.isoformat(),
                chance.choice(["expected", "unexpected", "not_determined"]),
                chance.choice(["A", "B", "J", "M", "99", ""]),
                chance.choice(_PLACES),
                str(chance.randrange(22, 42)) if neonatal else "",
                chance.choice(["yes", "no", ""]),
                reviewed,
                category,
                modifiable,
                factors,
            ]
        )
