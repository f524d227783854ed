"""Loading the demo municipality (Solvik kommune): the one place that knows every app's
demo seeder and the order they run in. Each app's ``demo.py`` seeds only its own models,
from its own file in ``fixtures/demo/``; this module only puts them in order."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from btitracker import demo as bti_demo
from competence import demo as competence_demo
from indicators import demo as indicators_demo
from plans import demo as plans_demo
from plans.models import Municipality
from reports.services.assessments import assessment_demo_purge
from reports.services.report_years import report_year_demo_purge
from reports.services.status_reports import status_report_demo_purge


def _clear(municipality: Municipality) -> None:
    """Every app's demo rows, the highest layer first: a row is only deleted once nothing
    that points at it with a PROTECT foreign key is left."""
    # Status reports point at the plans (and published ones refuse to be deleted in use):
    # the demo's reset removes them with their files.
    status_report_demo_purge(municipality=municipality)
    # The administration's assessment points at the plans' development areas.
    assessment_demo_purge(municipality=municipality)
    report_year_demo_purge(municipality=municipality)
    bti_demo.demo_clear(municipality)
    competence_demo.demo_clear(municipality)
    indicators_demo.demo_clear(municipality)
    plans_demo.demo_clear(municipality)


@transaction.atomic
def demo_load(*, today: datetime.date | None = None) -> dict[str, int]:
    """Create or bring up to date the demo municipality. Running it again gives the same
    result: units and users are updated in place, and the municipality's content in every
    app (plans, competence, tellinger, BTI, status reports) is deleted and made anew. Other
    municipalities are never touched. Returns what there is, by kind."""
    today = today or timezone.localdate()
    municipality, units, users = plans_demo.demo_organisation_ensure()
    _clear(municipality)
    plan, counts = plans_demo.demo_seed(municipality, units, users, today)
    counts |= competence_demo.demo_seed(municipality, plan, units, users, today)
    counts |= indicators_demo.demo_seed(municipality, plan, units, users, today)
    counts |= bti_demo.demo_seed(municipality, units, users, today)
    return counts
