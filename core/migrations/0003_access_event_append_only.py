"""The access log is append-only: the database itself refuses UPDATE and DELETE.

TRUNCATE is left to database grants (the test runner empties tables with it); production
should give the application's role no TRUNCATE privilege on core_accessevent.
"""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION core_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_accessevent_append_only
    BEFORE UPDATE OR DELETE ON core_accessevent
    FOR EACH ROW EXECUTE FUNCTION core_accessevent_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS core_accessevent_append_only ON core_accessevent;
DROP FUNCTION IF EXISTS core_accessevent_append_only();
"""
SQLITE = [
    """CREATE TRIGGER core_accessevent_no_update BEFORE UPDATE ON core_accessevent
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE is not allowed'); END""",
    """CREATE TRIGGER core_accessevent_no_delete BEFORE DELETE ON core_accessevent
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE is not allowed'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_accessevent_no_update",
    "DROP TRIGGER IF EXISTS core_accessevent_no_delete",
]


def protect(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRES], "sqlite": SQLITE}[vendor]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def unprotect(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRES_REVERSE], "sqlite": SQLITE_REVERSE}[vendor]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_access_event")]
    operations = [migrations.RunPython(protect, unprotect)]
