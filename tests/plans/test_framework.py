"""The framework: the wheel of the plan in force, the area pages and the component pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    DevelopmentArea,
    InputGroup,
    InputSetting,
    ParticipationInput,
    UnitKind,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear
from plans.services.quality_plan import quality_plan_create, quality_plan_part_save
from plans.wheel import FILLS, LABEL_COLOUR, Segment, contrast_ratio, wheel_svg
from tests.factories import MeasureFactory, UnitFactory, UnitPlanFactory

SEGMENT = re.compile(r'<a href="([^"]+)" aria-label="([^"]+)" class="wheel-segment">')


def _input(plan_cast, quote, *, publishable, area=None, component=None):
    item = ParticipationInput.objects.create(
        municipality=plan_cast.municipality,
        quote=quote,
        descriptor="Jente, 5 år",
        group=InputGroup.CHILDREN,
        setting=InputSetting.CONVERSATION,
        given_on=datetime.date(2025, 10, 1),
        publishable=publishable,
    )
    if area is not None:
        item.areas.add(area)
    if component is not None:
        item.components.add(component)
    return item


def test_elected_official_sees_the_wheel_with_one_link_per_area(plan_cast, client_for):
    response = client_for(plan_cast["elected_official"]).get(reverse("plans:framework"))
    body = response.content.decode()
    assert response.status_code == 200
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="group"' in svg
    assert 'role="img"' not in svg
    assert "<title id=" in svg
    segments = SEGMENT.findall(svg)
    assert [href for href, _label in segments] == [
        reverse("plans:framework-area", args=[area.pk]) for area in plan_cast.areas
    ]
    for (_href, label), area in zip(segments, plan_cast.areas, strict=True):
        assert area.name in label
        assert area.goal in label
    assert plan_cast.quality_plan.purpose in body


def test_text_alternative_lists_every_area_goal_and_component(plan_cast, client_for):
    plan_cast.areas[1].goal = "Vi handler tidlig."
    plan_cast.areas[1].save()
    body = client_for(plan_cast["staff"]).get(reverse("plans:framework")).content.decode()
    listing = body[body.index('<ol class="framework-areas">') :]
    listing = listing[: listing.index("</ol>")]
    for area in DevelopmentArea.objects.filter(plan=plan_cast.quality_plan):
        assert area.name in listing
        assert area.goal in listing
    for component in plan_cast.components:
        assert reverse("plans:framework-component", args=[component.pk]) in listing


def test_wheel_draws_a_ring_segment_per_area_with_readable_labels():
    segments = [Segment(f"Område <{n}>", f"Mål {n}", f"/a/{n}/") for n in range(5)]
    svg = str(wheel_svg(purpose="Formålet", segments=segments, title="Hjulet"))
    assert svg.count("<path ") == 5
    assert svg.count(" A ") == 10  # an outer and an inner arc per segment
    assert "Område &lt;3&gt;" in svg
    assert "<3>" not in svg
    for fill in FILLS:
        assert contrast_ratio(LABEL_COLOUR, fill) >= 4.5
    # Neighbours never share a fill.
    fills = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})"', svg)
    assert all(a != b for a, b in zip(fills, fills[1:] + fills[:1], strict=True))


def test_a_single_area_still_draws_a_segment():
    svg = str(wheel_svg(purpose="", segments=[Segment("Alt", "", "/a/")], title="Hjulet"))
    assert svg.count("<path ") == 1
    assert " 0 1 1 " in svg  # the large-arc flag for a segment of almost 360°


def test_sector_leader_without_an_adopted_plan_sees_the_latest_draft(cast, client_for):
    leader = cast["sector_leader"]
    draft = quality_plan_create(
        municipality=cast.municipality,
        actor=leader,
        data={"title": "Ny plan", "period_start": 2026, "period_end": 2029, "purpose": "Formål"},
    )
    quality_plan_part_save(
        plan=draft,
        model=DevelopmentArea,
        data={"order": 1, "name": "Utkastområde", "goal": "Et mål"},
        actor=leader,
    )
    body = client_for(leader).get(reverse("plans:framework")).content.decode()
    assert "Utkastområde" in body
    assert "kvalitetsplanen er ikke vedtatt ennå" in body
    staff_body = client_for(cast["staff"]).get(reverse("plans:framework")).content.decode()
    assert "Utkastområde" not in staff_body
    assert "ingen vedtatt kvalitetsplan ennå" in staff_body


def test_area_page_shows_units_their_measures_and_input(plan_cast, client_for):
    area = plan_cast.areas[0]
    _input(plan_cast, "Jeg liker å være med.", publishable=True, area=area)
    _input(plan_cast, "Ikke for publisering.", publishable=False, area=area)
    response = client_for(plan_cast["sector_leader"]).get(
        reverse("plans:framework-area", args=[area.pk])
    )
    body = response.content.decode()
    for unit in ("Solvik barneskole", "Solbakken barnehage", "Solvik SFO"):
        assert unit in body
    for measure in ("Leseløftet i 1.–4. trinn", "Språkgrupper i barnehagen", "Leksehjelp i SFO"):
        assert measure in body
    assert plan_cast["staff"].get_full_name() in body
    assert "Jeg liker å være med." in body
    assert "Ikke for publisering." in body
    assert "Jente, 5 år" in body
    assert reverse("plans:framework-component", args=[plan_cast.components[0].pk]) in body
    assert reverse("plans:unit-plan-detail", args=[plan_cast.school_plan.pk]) in body


def test_elected_official_sees_published_plans_without_names_or_unpublished_input(
    plan_cast, client_for
):
    area = plan_cast.areas[0]
    _input(plan_cast, "Jeg liker å være med.", publishable=True, area=area)
    _input(plan_cast, "Ikke for publisering.", publishable=False, area=area)
    body = (
        client_for(plan_cast["elected_official"])
        .get(reverse("plans:framework-area", args=[area.pk]))
        .content.decode()
    )
    assert "Språkgrupper i barnehagen" in body
    assert "Leseløftet i 1.–4. trinn" not in body
    assert "Leksehjelp i SFO" not in body
    assert plan_cast["staff"].get_full_name() not in body
    assert "Ansvarlig" not in body
    assert "Jeg liker å være med." in body
    assert "Ikke for publisering." not in body
    summary = reverse("plans:unit-plan-summary", args=[plan_cast.kindergarten_plan.pk])
    detail = reverse("plans:unit-plan-detail", args=[plan_cast.kindergarten_plan.pk])
    assert f'href="{summary}"' in body
    assert f'href="{detail}"' not in body


def test_component_page_shows_only_work_and_input_on_that_component(plan_cast, client_for):
    first, other = plan_cast.components[0], plan_cast.components[2]
    _input(plan_cast, "Om tilhørighet.", publishable=True, component=first)
    client = client_for(plan_cast["sector_leader"])
    body = client.get(reverse("plans:framework-component", args=[first.pk])).content.decode()
    assert "Språkgrupper i barnehagen" in body
    assert "Om tilhørighet." in body
    other_body = client.get(reverse("plans:framework-component", args=[other.pk])).content.decode()
    assert "Språkgrupper i barnehagen" not in other_body
    assert "Om tilhørighet." not in other_body
    assert "Ingen enheter du kan se" in other_body


def test_areas_and_components_of_another_municipality_are_not_found(plan_cast, client_for):
    foreign_plan = plan_cast.other_plan.quality_plan
    foreign_area = foreign_plan.areas.get()
    client = client_for(plan_cast["sector_leader"])
    assert client.get(reverse("plans:framework-area", args=[foreign_area.pk])).status_code == 404
    foreign_component = foreign_area.components.get()
    url = reverse("plans:framework-component", args=[foreign_component.pk])
    assert client.get(url).status_code == 404


def _add_units_with_plans(plan_cast, count, offset):
    for n in range(count):
        unit = UnitFactory(
            municipality=plan_cast.municipality,
            name=f"Ekstra barnehage {offset + n}",
            kind=UnitKind.KINDERGARTEN,
        )
        plan = UnitPlanFactory(
            unit=unit,
            quality_plan=plan_cast.quality_plan,
            school_year=SchoolYear.current().start_year,
            status=UnitPlanStatus.APPROVED,
        )
        plan.areas.set(plan_cast.areas[:1])
        MeasureFactory(plan=plan, component=plan_cast.components[0], responsible=plan_cast["staff"])


@pytest.mark.parametrize("persona", ["sector_leader", "elected_official"])
def test_area_page_query_count_does_not_grow_with_units(plan_cast, client_for, persona):
    client = client_for(plan_cast[persona])
    url = reverse("plans:framework-area", args=[plan_cast.areas[0].pk])
    _input(plan_cast, "Et innspill.", publishable=True, area=plan_cast.areas[0])
    client.get(url)  # warm the session and the user's access

    _add_units_with_plans(plan_cast, 2, 0)
    with CaptureQueriesContext(connection) as with_two:
        response = client.get(url)
    assert response.status_code == 200
    assert "Ekstra barnehage 1" in response.content.decode()

    _add_units_with_plans(plan_cast, 8, 2)
    with CaptureQueriesContext(connection) as with_ten:
        response = client.get(url)
    assert response.status_code == 200
    assert "Ekstra barnehage 9" in response.content.decode()

    assert len(with_ten) == len(with_two)
