"""The demo's mandatory training (fixtures/demo/competence_training.json) loads the same
twice: one requirement, the same people done and missing. The fast checks of its content
share the competence demo's single load (tests/competence/test_demo.py)."""

from __future__ import annotations

import pytest

from competence.models import TrainingRequirement
from competence.selectors.training import training_status
from demo.services.loading import demo_load
from plans.demo import DEMO_MUNICIPALITY
from plans.models import Unit

pytestmark = pytest.mark.django_db


def _status():
    requirement = TrainingRequirement.objects.get(
        municipality__number=DEMO_MUNICIPALITY["number"], name="BTI-modellen"
    )
    statuses = training_status(
        requirement=requirement,
        units=Unit.objects.filter(municipality=requirement.municipality),
        whole_municipality=True,
    )
    return sorted(
        (status.unit.name if status.unit else "", person.user.username, person.done)
        for status in statuses
        for person in status.people
    )


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_load_demo_twice_gives_the_same_training_status():
    first = demo_load(reports=False)
    before = _status()
    second = demo_load(reports=False)
    assert first["competence_training_requirements"] == 1
    assert second["competence_training_requirements"] == 1
    assert _status() == before
    assert any(done for *_rest, done in before)
    assert not all(done for *_rest, done in before)
