"""Code lists of domain.md §5: categories of death and the factor catalogue."""

from django.db import migrations

CATEGORIES = [
    (1, "Deliberately inflicted injury, abuse or neglect"),
    (2, "Suicide or deliberate self-inflicted harm"),
    (3, "Trauma and other external factors"),
    (4, "Malignancy"),
    (5, "Acute medical or surgical condition"),
    (6, "Chronic medical condition"),
    (7, "Chromosomal, genetic and congenital anomalies"),
    (8, "Perinatal/neonatal event"),
    (9, "Infection"),
    (10, "Sudden unexpected, unexplained death"),
]

# (code, label, domain, needs_description)
FACTORS = [
    ("maternal_bmi", "Maternal body mass index", "B", False),
    ("smoking", "Parental or household smoking", "B", False),
    ("consanguinity", "Consanguinity", "B", False),
    ("neglect", "Neglect", "B", False),
    ("domestic_abuse", "Domestic abuse", "B", False),
    ("substance_misuse", "Substance misuse", "B", False),
    ("unsafe_sleeping", "Unsafe sleeping arrangements", "B", False),
    ("poverty", "Poverty", "B", False),
    ("housing", "Housing", "C", False),
    ("driving", "Road safety or driver behaviour", "C", False),
    ("water_safety", "Water safety", "C", False),
    ("service_provision", "Service provision", "D", False),
    ("access_to_care", "Access to care", "D", False),
    ("child_health_condition", "Child's health condition", "A", False),
    ("prematurity", "Prematurity", "A", False),
    ("other", "Other (described)", "", True),
]


def load(apps, schema_editor):
    # Adds the codes that are missing; never overwrites a label the system administrator edited.
    category = apps.get_model("panels", "CategoryOfDeath")
    factor = apps.get_model("panels", "Factor")
    for number, label in CATEGORIES:
        category.objects.get_or_create(number=number, defaults={"label": label})
    for order, (code, label, domain, described) in enumerate(FACTORS, start=1):
        factor.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "domain": domain,
                "needs_description": described,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
