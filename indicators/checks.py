"""A database check (``manage.py check --database default``, and every ``migrate``): no
observation may point at an indicator, place or import that is gone.

The observation table's foreign keys are kept by the application rather than by the
database (see ``Observation``): a constraint costs a trigger and a look-up per imported
row. Deletes go through the ORM, which cascades and protects as declared; this check
catches anything that went round it (raw SQL, a restore of part of the tables)."""

from __future__ import annotations

from django.core import checks
from django.db import connections

from indicators.models import ImportBatch, Indicator, Observation, Place

_KEYS = (
    ("indicator_id", Indicator, "indikator"),
    ("place_id", Place, "sted"),
    ("batch_id", ImportBatch, "import"),
)


@checks.register(checks.Tags.database)
def observations_have_their_keys(app_configs=None, databases=None, **kwargs):
    problems = []
    table = Observation._meta.db_table
    for alias in databases or ():
        connection = connections[alias]
        tables = set(connection.introspection.table_names())
        # ``migrate`` runs the check before it migrates: a database without the tables
        # yet has nothing to check.
        if not {table, *(model._meta.db_table for _c, model, _l in _KEYS)} <= tables:
            continue
        with connection.cursor() as cursor:
            for column, model, label in _KEYS:
                cursor.execute(
                    f"SELECT count(*) FROM {table} o WHERE NOT EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {model._meta.db_table} t WHERE t.id = o.{column})"
                )
                (orphans,) = cursor.fetchone()
                if orphans:
                    problems.append(
                        checks.Error(
                            f"{orphans} målinger viser til en {label} som ikke finnes "
                            f"(kolonnen {column} i {table}).",
                            hint="Slett målingene eller gjenopprett det de viser til.",
                            id="indicators.E001",
                        )
                    )
    return problems
