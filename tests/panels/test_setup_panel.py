import pytest
from django.core.management import CommandError, call_command

from panels.models import Area, Panel


def setup_panel(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("setup_panel", *args, stdout=out)
    return out.getvalue()


AREAS = ["--area", "Luton", "--area", "Bedford Borough", "--area", "Central Bedfordshire"]


@pytest.mark.django_db
def test_it_creates_the_panel_with_its_areas():
    output = setup_panel("BEDS", "Bedfordshire CDOP", *AREAS)
    panel = Panel.objects.get(code="BEDS")
    assert panel.name == "Bedfordshire CDOP"
    assert sorted(panel.areas.values_list("name", flat=True)) == [
        "Bedford Borough",
        "Central Bedfordshire",
        "Luton",
    ]
    assert "Created panel BEDS" in output
    assert "Added area Central Bedfordshire" in output


@pytest.mark.django_db
def test_it_changes_nothing_when_run_twice():
    setup_panel("BEDS", "Bedfordshire CDOP", *AREAS)
    history_rows = Panel.history.count() + Area.history.count()
    output = setup_panel("BEDS", "Bedfordshire CDOP", *AREAS)
    assert "nothing changed" in output
    assert Panel.objects.count() == 1
    assert Area.objects.count() == 3
    assert Panel.history.count() + Area.history.count() == history_rows


@pytest.mark.django_db
def test_it_renames_and_adds_missing_areas_but_never_deletes():
    setup_panel("BEDS", "Bedfordshire CDOP", "--area", "Luton", "--area", "Bedford Borough")
    output = setup_panel("BEDS", "Bedfordshire and Luton CDOP", "--area", "Central Bedfordshire")
    panel = Panel.objects.get(code="BEDS")
    assert panel.name == "Bedfordshire and Luton CDOP"
    assert panel.areas.count() == 3
    assert "Renamed panel BEDS" in output
    assert "Added area Central Bedfordshire" in output


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["beds", "B", "ABCDEFGHIJKLM", "BE-DS", "BÉDS", ""])
def test_it_refuses_a_bad_panel_code(code):
    with pytest.raises(CommandError, match="2 to 12 capital letters or digits"):
        setup_panel(code, "A panel")
    assert not Panel.objects.exists()


@pytest.mark.django_db
def test_it_records_the_system_account_as_the_actor():
    setup_panel("BEDS", "Bedfordshire CDOP", *AREAS)
    actors = {h.history_user.email for h in [*Panel.history.all(), *Area.history.all()]}
    assert actors == {"system@cdop.invalid"}
