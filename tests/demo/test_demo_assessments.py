"""The demo's administration's assessment: last year's report written in full and final,
this year's half written, loaded through the same services a writer uses."""

from __future__ import annotations

import datetime
import json
import shutil

import pytest
from django.contrib.auth import get_user_model

from demo.services.assessments import DemoAssessments, _check
from demo.services.loading import demo_load
from plans.demo_data import DemoDataError, demo_data_dir, read_demo_data
from plans.models import Municipality, QualityPlan
from reports.models import Assessment, AssessmentChange, AssessmentState

TODAY = datetime.date(2026, 10, 1)  # school year 2026/27: reports for 2025 (last) and 2026 (this)


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_the_demo_assessments_load_complete_last_year_and_half_this_year(db):
    # demo_load writes them (before the reports that print them; without the reports too).
    counts = demo_load(today=TODAY, reports=False)
    municipality = Municipality.objects.get(number="9901")
    plan = QualityPlan.objects.filter(municipality=municipality).in_force()
    areas = plan.areas.count()
    assert counts["assessments"] == 2 * (areas + 1)

    last = Assessment.objects.filter(report_year__year=2025)
    assert last.count() == areas + 1
    assert {a.state for a in last} == {AssessmentState.FINAL}
    assert all(a.unanswered() == [] for a in last)

    this = Assessment.objects.filter(report_year__year=2026).select_related("area")
    states = {a.state for a in this}
    assert {AssessmentState.FINAL, AssessmentState.DRAFT, AssessmentState.REVIEW} <= states
    whole = this.get(area=None)
    assert 0 < whole.answered_count < 5
    # Invited writers, and history rows in their names.
    writer = get_user_model().objects.get(username="virksomhetsleder")
    inclusive = this.get(area__name="Inkluderende miljø")
    assert inclusive.writers.filter(user=writer).exists()
    assert AssessmentChange.objects.filter(assessment=inclusive, actor=writer).exists()

    # `make run` reloads the demo every time: the assessments do not stand in its way, and
    # the reload makes the same ones anew.
    first = set(Assessment.objects.filter(municipality=municipality).values_list("pk", flat=True))
    demo_load(today=TODAY, reports=False)
    again = Assessment.objects.filter(municipality=municipality)
    assert again.count() == 2 * (areas + 1)
    assert first.isdisjoint(again.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda d: d["years"][1]["parts"][0]["answers"].update(hvor={"text": "x"}),
            "ukjent spørsmål",
        ),
        (
            lambda d: d["years"][0]["parts"][1]["answers"].pop("how"),
            "en ferdig vurdering svarer på alle fem spørsmålene",
        ),
        (
            lambda d: d["years"][0]["parts"][1]["answers"].update(
                how={"text": "x", "no_change": True}
            ),
            "enten text eller no_change",
        ),
        (lambda d: d["years"][0]["parts"][0].update(state="godkjent"), "ukjent verdi 'godkjent'"),
    ],
)
def test_a_mistake_in_the_demo_text_is_refused_on_read(tmp_path, spoil, message):
    path = tmp_path / "report_assessments.json"
    shutil.copy(demo_data_dir() / "report_assessments.json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    spoil(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError, match=message):
        read_demo_data("report_assessments.json", DemoAssessments, check=_check, directory=tmp_path)
