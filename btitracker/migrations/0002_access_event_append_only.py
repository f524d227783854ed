"""On PostgreSQL the access log refuses UPDATE and DELETE in the database itself, so not
even a raw query from the application can rewrite it. (TRUNCATE, which only the owner can
run, is left to maintenance and the test runner.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION btitracker_accessevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'btitracker_accessevent is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER btitracker_accessevent_no_change
    BEFORE UPDATE OR DELETE ON btitracker_accessevent
    FOR EACH ROW EXECUTE FUNCTION btitracker_accessevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS btitracker_accessevent_no_change ON btitracker_accessevent;
DROP FUNCTION IF EXISTS btitracker_accessevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("btitracker", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
