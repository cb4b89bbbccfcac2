"""Code lists of domain.md §5: sex, NHS ethnic categories and places of death."""

from django.db import migrations

SEXES = [
    ("male", "Male"),
    ("female", "Female"),
    ("indeterminate", "Indeterminate"),
    ("not_known", "Not known"),
]

# (code, label, census group)
ETHNIC_CATEGORIES = [
    ("A", "White: British", "white"),
    ("B", "White: Irish", "white"),
    ("C", "White: any other White background", "white"),
    ("D", "Mixed: White and Black Caribbean", "mixed"),
    ("E", "Mixed: White and Black African", "mixed"),
    ("F", "Mixed: White and Asian", "mixed"),
    ("G", "Mixed: any other mixed background", "mixed"),
    ("H", "Asian or Asian British: Indian", "asian"),
    ("J", "Asian or Asian British: Pakistani", "asian"),
    ("K", "Asian or Asian British: Bangladeshi", "asian"),
    ("L", "Asian or Asian British: any other Asian background", "asian"),
    ("R", "Asian or Asian British: Chinese", "asian"),
    ("M", "Black or Black British: Caribbean", "black"),
    ("N", "Black or Black British: African", "black"),
    ("P", "Black or Black British: any other Black background", "black"),
    ("S", "Other ethnic group: any other ethnic group", "other"),
    ("Z", "Not stated", "not_stated"),
    ("99", "Not known", "not_stated"),
]

# (code, label, report group)
PLACES = [
    ("hospital_ed", "Hospital: emergency department", "acute_hospital"),
    ("hospital_neonatal_unit", "Hospital: neonatal unit", "acute_hospital"),
    ("hospital_picu", "Hospital: paediatric intensive care unit", "acute_hospital"),
    ("hospital_delivery_suite", "Hospital: delivery suite", "acute_hospital"),
    ("hospital_other_ward", "Hospital: other ward", "acute_hospital"),
    ("hospice", "Hospice", "hospice"),
    ("home", "Home (child's usual residence)", "home"),
    ("other_residence", "Other residence", "other_residence"),
    ("public_place", "Public place", "public_place"),
    ("school", "School", "school"),
    ("custody", "Custody", "custody"),
    ("abroad", "Abroad", "abroad"),
    ("other", "Other", "other"),
    ("not_known", "Not known", "not_known"),
]


def load(apps, schema_editor):
    # Adds the codes that are missing; never overwrites a label the system administrator edited.
    sex = apps.get_model("cases", "Sex")
    ethnic = apps.get_model("cases", "EthnicCategory")
    place = apps.get_model("cases", "PlaceOfDeath")
    for order, (code, label) in enumerate(SEXES, start=1):
        sex.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})
    for order, (code, label, group) in enumerate(ETHNIC_CATEGORIES, start=1):
        ethnic.objects.get_or_create(
            code=code, defaults={"label": label, "group": group, "sort_order": order}
        )
    for order, (code, label, group) in enumerate(PLACES, start=1):
        place.objects.get_or_create(
            code=code, defaults={"label": label, "report_group": group, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
