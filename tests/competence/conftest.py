"""A small competence plan on top of the shared ``cast``: one scheme with a grant, two
themes, an activity for schools with a future session organised by ``organiser``, and one
in another municipality."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from competence.models import FundingGrant
from plans.models import Role, UnitKind
from tests.factories import (
    ActivityFactory,
    FundingSchemeFactory,
    MembershipFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)


@dataclass
class CompetenceCast:
    cast: object
    scheme: object
    themes: dict
    activity: object
    session: object
    organiser: object
    other_activity: object
    other_session: object

    def __getattr__(self, name):
        return getattr(self.cast, name)

    def __getitem__(self, name):
        return self.cast[name]


@pytest.fixture
def competence_cast(cast) -> CompetenceCast:
    municipality = cast.municipality
    scheme = FundingSchemeFactory(municipality=municipality, name="Kompetanseløftet")
    FundingGrant.objects.create(scheme=scheme, school_year=2026, amount=200000)
    themes = {
        name: ThemeFactory(municipality=municipality, name=name)
        for name in ("Inkluderende læringsmiljø", "Psykisk helse")
    }
    organiser = UserFactory(username="arrangor")
    MembershipFactory(
        user=organiser, municipality=municipality, unit=cast.kindergarten, role=Role.STAFF
    )
    activity = ActivityFactory(
        municipality=municipality,
        title="Fagdag om skolefravær",
        form="fagdag",
        target_kinds=[UnitKind.SCHOOL],
        funding_scheme=scheme,
        budget=50000,
        spent=10000,
    )
    activity.organisers.add(organiser)
    activity.themes.add(themes["Inkluderende læringsmiljø"])
    start = timezone.now() + datetime.timedelta(days=30)
    session = SessionFactory(
        activity=activity, starts_at=start, ends_at=start + datetime.timedelta(hours=3), capacity=2
    )
    other_activity = ActivityFactory(
        municipality=cast.other_municipality, title="Nabovik-kurs i hemmelighet"
    )
    other_session = SessionFactory(
        activity=other_activity, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    return CompetenceCast(
        cast, scheme, themes, activity, session, organiser, other_activity, other_session
    )
