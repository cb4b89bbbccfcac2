"""Roles are read from the memberships at request time: the groups that copied them go.

Until now each panel role and agency had a group (`panel:<code>:<role>`, `agency:<id>`) kept
in step by the services, and the system administrators one; nothing reads them any more.
"""

from django.db import migrations


def remove_role_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    group.objects.filter(name__startswith="panel:").delete()
    group.objects.filter(name__startswith="agency:").delete()
    group.objects.filter(name="system administrators").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(remove_role_groups, migrations.RunPython.noop)]
