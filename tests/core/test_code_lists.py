"""The code lists of domain.md §5 arrive with the migrations."""

import pytest

from cases.models import EthnicCategory, PlaceOfDeath, Sex
from panels.models import CategoryOfDeath, Factor


@pytest.mark.django_db
def test_it_has_the_ten_categories_of_death():
    assert list(CategoryOfDeath.objects.values_list("number", flat=True)) == list(range(1, 11))
    assert CategoryOfDeath.objects.get(number=10).label == "Sudden unexpected, unexplained death"


@pytest.mark.django_db
def test_it_has_the_factor_catalogue_with_domains():
    domains = dict(Factor.objects.values_list("code", "domain"))
    assert len(domains) == 16
    assert domains["smoking"] == "B"
    assert domains["housing"] == "C"
    assert domains["access_to_care"] == "D"
    assert domains["prematurity"] == "A"
    assert Factor.objects.get(code="other").needs_description


@pytest.mark.django_db
def test_it_groups_the_five_hospital_places_as_acute_hospital():
    acute = PlaceOfDeath.objects.filter(report_group="acute_hospital")
    assert acute.count() == 5
    assert PlaceOfDeath.objects.count() == 14
    assert set(PlaceOfDeath.objects.values_list("report_group", flat=True)) == {
        "acute_hospital",
        "hospice",
        "home",
        "other_residence",
        "public_place",
        "school",
        "custody",
        "abroad",
        "other",
        "not_known",
    }


@pytest.mark.django_db
def test_it_maps_nhs_ethnic_codes_to_the_census_groups():
    groups = dict(EthnicCategory.objects.values_list("code", "group"))
    assert len(groups) == 18
    assert groups["R"] == "asian"  # Chinese is reported with Asian, as in the 2011 census
    assert groups["99"] == groups["Z"] == "not_stated"
    assert list(Sex.objects.values_list("code", flat=True)) == [
        "male",
        "female",
        "indeterminate",
        "not_known",
    ]


@pytest.mark.django_db
def test_migrate_keeps_the_system_administrators_edit_of_a_label(system):
    from django.core.management import call_command

    from core.services import reference_data_save

    place = PlaceOfDeath.objects.get(code="home")
    place.label = "Home (where the child usually lived)"
    reference_data_save(instance=place, by=system)
    call_command("migrate", verbosity=0)
    place.refresh_from_db()
    assert place.label == "Home (where the child usually lived)"
    assert place.history.first().history_user == system
    assert place.history.first().label == "Home (where the child usually lived)"


@pytest.mark.django_db
def test_migrate_adds_a_code_that_is_missing():
    from django.core.management import call_command

    Factor.objects.filter(code="poverty").delete()
    call_command("migrate", verbosity=0)
    assert Factor.objects.filter(code="poverty").exists()
