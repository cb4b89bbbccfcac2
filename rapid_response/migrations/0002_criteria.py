"""When a joint agency response is triggered (domain.md §2.3)."""

from django.db import migrations

CRITERIA = [
    ("external_causes", "The death is or could be due to external causes"),
    ("sudden_unexplained", "Sudden death with no immediately apparent cause (including SUDI/C)"),
    ("custody", "Death in custody or where the child was detained under the Mental Health Act"),
    ("suspicious", "The initial circumstances raise suspicion"),
    ("unattended_stillbirth", "Stillbirth with no healthcare professional present"),
]


def load(apps, schema_editor):
    # Adds the codes that are missing; never overwrites a label the system administrator edited.
    criterion = apps.get_model("rapid_response", "RapidResponseCriterion")
    for order, (code, label) in enumerate(CRITERIA, start=1):
        criterion.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("rapid_response", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
