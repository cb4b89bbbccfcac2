"""`python manage.py import_cases`, exactly as interfaces.md specifies."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case, CaseState
from home.demo import history_csv_lines
from panels.models import Analysis, Ward

HEADER = (
    "case_ref,area,ward,sex,date_of_birth,date_of_death,date_notified,death_type,"
    "ethnicity,place_of_death,gestation_weeks,rapid_response,review_date,category,"
    "modifiable,factors"
)
GOOD = [
    "B-101,Luton,Biscot,male,2015-03-01,2016-05-10,2016-05-11,unexpected,A,home,,yes,"
    "2017-02-01,10,yes,smoking;unsafe_sleeping",
    "B-102,Bedford Borough,,female,2016-06-01,2016-06-02,2016-06-03,expected,99,"
    "hospital_neonatal_unit,27,no,2017-03-15,8,no,",
    "B-103,Central Bedfordshire,,female,2005-01-01,2016-11-30,2016-12-01,not_determined,,"
    "public_place,,,,,,",
]


def csv_file(tmp_path, *lines, header=HEADER, name="cases.csv", bom=False):
    path = tmp_path / name
    path.write_text(
        ("\ufeff" if bom else "") + "\n".join([header, *lines]) + "\n", encoding="utf-8"
    )
    return str(path)


def run(path, *extra, panel="BEDS"):
    out, err = StringIO(), StringIO()
    call_command("import_cases", "--panel", panel, path, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path):
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_cases", "--panel", "BEDS", path, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(failure.value)


@pytest.mark.django_db
def test_it_imports_reviewed_rows_as_closed_cases_with_their_analysis(tmp_path, panel):
    out, _ = run(csv_file(tmp_path, *GOOD, bom=True))
    assert (
        out.strip()
        == "Created 3 cases, updated 0, left 0 unchanged, kept 0 changed in the application."
    )

    sudi = Case.objects.get(legacy_reference="B-101")
    assert sudi.number == "BEDS-2016-0001"
    assert sudi.state == CaseState.CLOSED
    assert sudi.closed_on.isoformat() == "2017-02-01"
    assert sudi.ward.name == "Biscot"
    assert sudi.rapid_response_held is True
    analysis = sudi.analysis
    assert analysis.primary_category_id == 10
    assert analysis.modifiable == "yes"
    assert sorted(f.factor.code for f in analysis.factors.all()) == ["smoking", "unsafe_sleeping"]

    neonatal = Case.objects.get(legacy_reference="B-102")
    assert neonatal.ethnicity is None  # 99: not known
    assert neonatal.gestation_weeks == 27

    open_case = Case.objects.get(legacy_reference="B-103")
    assert open_case.state == CaseState.NOTIFIED
    assert not Analysis.objects.filter(case=open_case).exists()


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(tmp_path, panel):
    path = csv_file(tmp_path, *GOOD)
    run(path)
    history = Case.history.count()
    out, _ = run(path)
    assert (
        out.strip()
        == "Created 0 cases, updated 0, left 3 unchanged, kept 0 changed in the application."
    )
    assert Case.objects.count() == 3
    assert Case.history.count() == history


@pytest.mark.django_db
def test_a_changed_row_updates_its_case(tmp_path, panel):
    run(csv_file(tmp_path, *GOOD))
    changed = GOOD[2].replace(",,,,,,", ",,,2017-06-01,3,insufficient_information,")
    out, _ = run(csv_file(tmp_path, GOOD[0], GOOD[1], changed, name="second.csv"))
    assert (
        out.strip()
        == "Created 0 cases, updated 1, left 2 unchanged, kept 0 changed in the application."
    )
    case = Case.objects.get(legacy_reference="B-103")
    assert case.state == CaseState.CLOSED
    assert case.analysis.modifiable == "insufficient_information"


@pytest.mark.django_db
def test_column_order_is_free_and_optional_columns_may_be_absent(tmp_path, panel):
    header = "place_of_death,death_type,date_notified,date_of_death,date_of_birth,sex,area,case_ref"
    out, _ = run(
        csv_file(
            tmp_path, "home,expected,2020-01-03,2020-01-02,2019-01-01,male,Luton,X1", header=header
        )
    )
    assert out.startswith("Created 1 cases")


@pytest.mark.django_db
def test_a_dry_run_saves_nothing(tmp_path, panel):
    out, _ = run(csv_file(tmp_path, *GOOD), "--dry-run")
    assert "Would create 3 cases" in out
    assert not Case.objects.exists()
    assert not Ward.objects.filter(name="Biscot").exists()


BAD_ROWS = [
    ("B-1,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,", None),
    (
        ",Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 3, column case_ref: is required",
    ),
    (
        "B-2,Dunstable,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 4, column area: 'Dunstable' is not an area of this panel",
    ),
    (
        "B-3,Luton,,boy,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 5, column sex: 'boy' is not one of",
    ),
    (
        "B-4,Luton,,male,01/03/2015,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 6, column date_of_birth: '01/03/2015' is not a date in the form YYYY-MM-DD",
    ),
    (
        "B-5,Luton,,male,2016-06-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 7, column date_of_death: is before the date of birth",
    ),
    (
        "B-6,Luton,,male,1990-01-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 8, column date_of_death: the child was 18 or over at death",
    ),
    (
        "B-7,Luton,,male,2015-03-01,2016-05-10,2016-05-09,unexpected,,home,,,,,,",
        "line 9, column date_notified: is before the date of death",
    ),
    (
        "B-8,Luton,,male,2015-03-01,2016-05-10,2016-05-11,sudden,,home,,,,,,",
        "line 10, column death_type: 'sudden' is not one of",
    ),
    (
        "B-9,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,Q,home,,,,,,",
        "line 11, column ethnicity: 'Q' is not one of",
    ),
    (
        "B-10,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,garden,,,,,,",
        "line 12, column place_of_death: 'garden' is not one of",
    ),
    (
        "B-11,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,50,,,,,",
        "line 13, column gestation_weeks: '50' is not a whole number from 20 to 44",
    ),
    (
        "B-12,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,maybe,,,,",
        "line 14, column rapid_response: 'maybe' is not one of yes, no",
    ),
    (
        "B-13,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,2017-01-01,,,",
        "line 15, column category: is required with a review_date",
    ),
    (
        "B-14,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,2017-01-01,11,no,",
        "line 16, column category: '11' is not a category from 1 to 10",
    ),
    (
        "B-15,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,3,no,",
        "line 17, column category: is only allowed with a review_date",
    ),
    (
        "B-16,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,2017-01-01,3,no,"
        "smoking",
        "line 18, column factors: are only allowed with modifiable=yes",
    ),
    (
        "B-17,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,2017-01-01,3,yes,"
        "bad_luck",
        "line 19, column factors: 'bad_luck' is not a factor code",
    ),
    (
        "B-1,Luton,,male,2015-03-01,2016-05-10,2016-05-11,unexpected,,home,,,,,,",
        "line 20, column case_ref: 'B-1' is also on line 2",
    ),
    (
        "B-18,Luton,,male,2015-03-01,2099-05-10,2099-05-11,unexpected,,home,,,,,,",
        "line 21, column date_of_death: 2099-05-10 is in the future",
    ),
    ("B-19,Luton,,male,2015-03-01", "line 22: has 5 cells, the header has 16"),
]


@pytest.mark.django_db
def test_it_lists_every_faulty_line_and_saves_nothing(tmp_path, panel):
    problems, message = run_failing(csv_file(tmp_path, *(row for row, _ in BAD_ROWS)))
    for _, expected in BAD_ROWS:
        if expected:
            assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert not any(p.startswith("line 2,") for p in problems)  # the good row is fine
    assert "nothing was saved" in message
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_refuses_unknown_and_missing_columns(tmp_path, panel):
    problems, _ = run_failing(csv_file(tmp_path, "x", header="case_ref,area,colour"))
    assert "line 1, column colour: unknown column" in problems
    assert "line 1, column sex: required column is missing" in problems


@pytest.mark.django_db
def test_it_refuses_an_unknown_panel_and_a_file_that_is_not_utf8(tmp_path, panel):
    with pytest.raises(CommandError, match="no panel with the code NOPE"):
        run(csv_file(tmp_path, *GOOD), panel="NOPE")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nB-1,Lüton").encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8"):
        run(str(latin))


@pytest.mark.django_db
def test_imported_cases_are_visible_to_the_panels_administrators_only(
    tmp_path, panel, administrator, agency_a_user
):
    from cases.permissions import cases_visible_to

    run(csv_file(tmp_path, *GOOD))
    assert cases_visible_to(administrator).count() == 3
    assert cases_visible_to(agency_a_user).count() == 0


def _by_ref(ref):
    return Case.objects.get(legacy_reference=ref)


@pytest.mark.django_db
def test_a_reimport_never_undoes_a_correction_made_in_the_application(tmp_path, panel, system):
    from cases.services import case_update_details

    path = csv_file(tmp_path, *GOOD)
    run(path)
    case = _by_ref("B-103")
    case_update_details(case=case, death_type="unexpected", by=system)  # after the post-mortem
    out, _ = run(path)
    today = timezone.localdate().isoformat()
    assert out.splitlines() == [
        f"line 4, case_ref B-103: changed in the application on {today}, left as it is",
        "Created 0 cases, updated 0, left 2 unchanged, kept 1 changed in the application.",
    ]
    assert _by_ref("B-103").death_type == "unexpected"
    dry, _ = run(path, "--dry-run")
    assert dry.splitlines()[0] == out.splitlines()[0]


@pytest.mark.django_db
def test_a_case_closed_in_the_application_stays_closed_with_its_analysis(tmp_path, panel, system):
    from cases import services
    from panels.models import Factor

    path = csv_file(tmp_path, *GOOD)
    run(path)
    case = _by_ref("B-103")
    services.case_mark_ready_for_panel(case=case, by=system)
    services.case_record_analysis(
        case=case,
        by=system,
        primary_category=3,
        modifiable="no",
        factors=[
            services.FactorRecord(
                factor=Factor.objects.get(code="housing"), domain="C", contributed=True
            )
        ],
    )
    services.case_close(case=case, review_date=date(2017, 6, 1), by=system)
    events = case.events.count()
    out, _ = run(path)
    assert "line 4, case_ref B-103: changed in the application" in out
    case = _by_ref("B-103")
    assert case.state == CaseState.CLOSED
    assert case.analysis.primary_category_id == 3
    assert [(f.factor.code, f.modifiable) for f in case.analysis.factors.all()] == [
        ("housing", False)
    ]
    assert case.events.count() == events  # not a thing written to it


@pytest.mark.django_db
def test_a_corrected_file_still_updates_a_case_nobody_touched(tmp_path, panel):
    run(csv_file(tmp_path, *GOOD))
    fixed = GOOD[2].replace("not_determined", "expected")
    out, _ = run(csv_file(tmp_path, GOOD[0], GOOD[1], fixed, name="fixed.csv"))
    assert out.strip() == (
        "Created 0 cases, updated 1, left 2 unchanged, kept 0 changed in the application."
    )
    case = _by_ref("B-103")
    assert case.death_type == "expected"
    assert "Details changed" in [e.get_kind_display() for e in case.events.all()]
    out, _ = run(csv_file(tmp_path, GOOD[0], GOOD[1], fixed, name="fixed.csv"))
    assert "left 3 unchanged" in out  # the import's own update is not "the application"


@pytest.mark.django_db
def test_imported_cases_go_through_the_case_services(tmp_path, panel):
    run(csv_file(tmp_path, *GOOD))
    reviewed = _by_ref("B-101")
    # One event tells the history; the history tables hold the rows as written.
    [event] = reviewed.events.all()
    assert event.kind == "imported"
    assert event.to_state == "closed"
    assert "reviewed by the panel on" in event.detail
    assert reviewed.history.get().history_type == "+"
    assert reviewed.analysis.history.get().history_type == "+"
    assert reviewed.last_imported_at is not None


@pytest.mark.django_db
def test_a_panels_history_of_20000_rows_is_all_or_nothing_and_idempotent(tmp_path, panel):
    lines = list(history_csv_lines(20_000))
    [header, *rows] = lines
    assert header == HEADER
    cells = rows[14_999].split(",")
    cells[3] = "boy"  # sex
    broken = [*rows[:14_999], ",".join(cells), *rows[15_000:]]
    errors, message = run_failing(csv_file(tmp_path, *broken, name="broken.csv"))
    assert message == "1 problem(s) found: nothing was saved."
    assert errors == [
        "line 15001, column sex: 'boy' is not one of female, indeterminate, male, not_known"
    ]
    assert not Case.objects.exists()

    path = csv_file(tmp_path, *rows)
    out, _ = run(path)
    assert out.strip() == (
        "Created 20000 cases, updated 0, left 0 unchanged, kept 0 changed in the application."
    )
    assert Case.objects.count() == 20_000
    reviewed = Case.objects.filter(state=CaseState.CLOSED).count()
    assert Analysis.objects.count() == reviewed > 10_000
    assert Case.history.count() == 20_000

    out, _ = run(path)
    assert out.strip() == (
        "Created 0 cases, updated 0, left 20000 unchanged, kept 0 changed in the application."
    )
    assert Case.history.count() == 20_000
    assert Analysis.objects.count() == reviewed
