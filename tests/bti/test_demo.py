"""The demo's BTI part: fictitious children only, and loading twice gives the same."""

from __future__ import annotations

import pytest

from btitracker.audit import verify_chain
from btitracker.models import Child, Concern, ConcernCase, StatEvent
from demo.services.loading import demo_load


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_demo_children_are_marked_fictitious_and_reload_is_idempotent(db):
    first = demo_load(reports=False)
    # The school's log and the health station's log before birth.
    assert first["bti_cases"] == 2
    assert first["bti_concerns"] == 4
    assert Child.objects.count() == 3
    assert all("fiktivt barn" in child.name for child in Child.objects.all())
    stats = StatEvent.objects.count()
    second = demo_load(reports=False)
    assert {k: v for k, v in second.items() if k.startswith("bti")} == {
        k: v for k, v in first.items() if k.startswith("bti")
    }
    assert (Child.objects.count(), ConcernCase.objects.count(), Concern.objects.count()) == (
        3,
        2,
        4,
    )
    assert StatEvent.objects.count() == stats
    assert verify_chain()[1] is None


def test_demo_has_a_log_before_birth_views_and_meeting_participants(db):
    from btitracker.models import CaseDecision, ConsentKind, Evaluation, Meeting

    demo_load(reports=False)
    unborn = Child.objects.get(birth_date__isnull=True)
    assert unborn.name.startswith("Barn av ")
    assert "fiktivt barn" in unborn.name
    assert unborn.expected_on is not None
    case = unborn.cases.get()
    assert case.consents.get().kind == ConsentKind.EXPECTING
    assert case.source_concern.views_missing_reason
    evaluation = Evaluation.objects.get()
    assert evaluation.child_view
    assert evaluation.family_view
    assert CaseDecision.objects.filter(kind="niva", level_to=2).exists()
    assert all(meeting.participants.exists() for meeting in Meeting.objects.all())
    assert all(meeting.others_present for meeting in Meeting.objects.all())
