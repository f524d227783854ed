"""The unit on the non-personal statistics rows, for the coordinator's follow-up
(/bti/oppfolging/), and that unit filled in for the rows written before it.

A concern's row is exact: ``Concern.stat`` points at it. A log's row has no link back to
its log, so it is filled only where that cannot be wrong: per municipality, school year
and unit kind, when the logs still there are as many as the rows and were all opened in
one unit. Elsewhere (logs deleted by retention, rows made up by the demo, two units of a
kind opening logs the same year) the row keeps no unit and the follow-up counts it under
«enhet ikke registrert» for its kind, so the units still add up to the kind's column of
the published statistics.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

from plans.schoolyear import SchoolYear


def fill_units(apps, schema_editor):
    StatEvent = apps.get_model("btitracker", "StatEvent")
    Concern = apps.get_model("btitracker", "Concern")
    ConcernCase = apps.get_model("btitracker", "ConcernCase")
    for stat_id, unit_id in Concern.objects.filter(stat__isnull=False).values_list(
        "stat_id", "unit_id"
    ):
        StatEvent.objects.filter(pk=stat_id, unit__isnull=True).update(unit_id=unit_id)
    rows = defaultdict(list)
    for pk, municipality_id, school_year, unit_kind in StatEvent.objects.filter(
        kind="logg", unit__isnull=True
    ).values_list("pk", "municipality_id", "school_year", "unit_kind"):
        rows[(municipality_id, school_year, unit_kind)].append(pk)
    units = defaultdict(list)
    for municipality_id, opened_at, unit_id, unit_kind in ConcernCase.objects.filter(
        source_concern__isnull=False
    ).values_list(
        "municipality_id", "opened_at", "source_concern__unit_id", "source_concern__unit__kind"
    ):
        key = (municipality_id, SchoolYear.containing(opened_at).start_year, unit_kind)
        units[key].append(unit_id)
    for key, pks in rows.items():
        found = units.get(key, [])
        if len(found) == len(pks) and len(set(found)) == 1:
            StatEvent.objects.filter(pk__in=pks).update(unit_id=found[0])


class Migration(migrations.Migration):
    dependencies = [
        ("btitracker", "0009_log_gaps"),
        ("plans", "0004_bounded_free_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="statevent",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="plans.unit",
                verbose_name="enhet",
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop),
    ]
