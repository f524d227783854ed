"""The demo's BTI part: fictitious children only, and loading twice gives the same."""

from __future__ import annotations

from btitracker.audit import verify_chain
from btitracker.models import Child, Concern, ConcernCase, StatEvent
from demo.services.loading import demo_load


def test_demo_children_are_marked_fictitious_and_reload_is_idempotent(db):
    first = demo_load(reports=False)
    assert first["bti_cases"] == 1
    assert first["bti_concerns"] == 3
    assert Child.objects.count() == 2
    assert all("fiktivt barn" in child.name for child in Child.objects.all())
    stats = StatEvent.objects.count()
    second = demo_load(reports=False)
    assert {k: v for k, v in second.items() if k.startswith("bti")} == {
        k: v for k, v in first.items() if k.startswith("bti")
    }
    assert (Child.objects.count(), ConcernCase.objects.count(), Concern.objects.count()) == (
        2,
        1,
        3,
    )
    assert StatEvent.objects.count() == stats
    assert verify_chain()[1] is None
