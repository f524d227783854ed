"""Loading the demo municipality (Solvik kommune): the one place that knows every app's
demo seeder and the order they run in. Each app's ``demo.py`` seeds only its own models,
from its own file in ``fixtures/demo/``; this module only puts them in order."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from btitracker import demo as bti_demo
from btitracker import demo_consultations
from btitracker import demo_directory as directory_demo
from competence import demo as competence_demo
from demo.services.assessments import demo_assessments_load
from demo.services.council import demo_council_load
from demo.services.handbook import demo_handbook_load
from demo.services.law_topics import demo_law_topics_load
from demo.services.reports import demo_reports_load
from indicators import demo as indicators_demo
from plans import demo as plans_demo
from plans.models import Municipality
from reports.services.report_years import report_year_demo_purge
from reports.services.status_reports import status_report_demo_purge


def _clear(municipality: Municipality) -> None:
    """Every app's demo rows, the highest layer first: a row is only deleted once nothing
    that points at it with a PROTECT foreign key is left."""
    # Status reports point at the plans (and published ones refuse to be deleted in use):
    # the demo's reset removes them with their files.
    status_report_demo_purge(municipality=municipality)
    # The report years point at the plans; with them go the administration's assessment
    # (which points at the plans' development areas), the treatment and its follow-up.
    report_year_demo_purge(municipality=municipality)
    demo_consultations.consultations_demo_clear(municipality)
    bti_demo.demo_clear(municipality)
    # After the BTI content (whose consultation meetings name the directory's services),
    # before the units the directory's entries point at.
    directory_demo.demo_clear(municipality)
    competence_demo.demo_clear(municipality)
    indicators_demo.demo_clear(municipality)
    plans_demo.demo_clear(municipality)


@transaction.atomic
def demo_load(*, today: datetime.date | None = None, reports: bool = True) -> dict[str, int]:
    """Create or bring up to date the demo municipality. Running it again gives the same
    result: units and users are updated in place, and the municipality's content in every
    app (plans, competence, tellinger, BTI, status reports) is deleted and made anew. Other
    municipalities are never touched. The status reports come last, rendered from all the
    rest: last school year's published, this year's a draft; ``reports=False`` leaves
    them out (the two PDF layouts are most of the load's time: for the tests of the other
    apps' demo content, and ``load_demo --uten-rapporter``). Returns what there is, by
    kind."""
    today = today or timezone.localdate()
    municipality, units, users = plans_demo.demo_organisation_ensure()
    _clear(municipality)
    plan, counts = plans_demo.demo_seed(municipality, units, users, today)
    counts |= competence_demo.demo_seed(municipality, plan, units, users, today)
    counts |= competence_demo.demo_training_seed(municipality, users)
    counts |= indicators_demo.demo_seed(municipality, plan, units, users, today)
    counts |= demo_law_topics_load(municipality=municipality)
    # The directory before the rest of BTI: the consultation meetings' services are in it.
    counts |= directory_demo.demo_seed(municipality, units, users)
    counts |= bti_demo.demo_seed(municipality, units, users, today)
    counts |= demo_handbook_load(municipality=municipality)
    counts |= demo_consultations.consultations_demo_seed(municipality, units, users, today)
    # The administration's text comes before the reports that print it (and with
    # ``reports=False`` too: the writing pages are demo content of their own).
    counts |= demo_assessments_load(municipality=municipality, plan=plan, today=today)
    if reports:
        counts |= demo_reports_load(
            municipality=municipality,
            plan=plan,
            sector_leader=users["sektorleder"],
            today=today,
            after_publishing=lambda published: demo_council_load(
                municipality=municipality, plan=plan, published_report=published
            ),
        )
    return counts
