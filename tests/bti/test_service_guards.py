"""The BTI services refuse an actor the rules refuse, whoever calls them (a view, a
command, a task): each write is tried by a member of the team who is not the holder, the
leader of the holding unit, a colleague off the team and the proposed new holder, and each
is refused with PermissionDenied and writes nothing. The views' own checks are pinned by
the POST pass in tests/test_access_matrix_post.py; this pins the services' second check."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from btitracker.models import ConsentKind, TeamAccess
from btitracker.services import cases as services
from tests.bti.helpers import VIEWS, build_bti
from tests.test_access_matrix_post import changed_tables, fingerprint

TODAY = timezone.localdate()


def _action_input(b):
    return services.ActionInput(
        "Fiktivt tiltak", b.case.team.get(user=b.case.holder), TODAY, TODAY + datetime.timedelta(7)
    )


# (service call, who besides the holder may make it). Every call is one that succeeds for
# the holder, so a refusal below is a refusal of the actor, not of the input.
HOLDER_ONLY = ()
WRITERS = ("nurse",)
CALLS = {
    "case_level_change": (
        lambda a, b, c: services.case_level_change(actor=a, case=b.case, level=2, views=VIEWS),
        HOLDER_ONLY,
    ),
    "guardian_add": (
        lambda a, b, c: services.guardian_add(actor=a, case=b.case, name="Fiktiv"),
        HOLDER_ONLY,
    ),
    "team_member_add": (
        lambda a, b, c: services.team_member_add(
            actor=a, case=b.case, user=b.outsider, unit=c.school, access=TeamAccess.READ
        ),
        HOLDER_ONLY,
    ),
    "team_member_remove": (
        lambda a, b, c: services.team_member_remove(actor=a, member=b.case.team.get(user=b.nurse)),
        HOLDER_ONLY,
    ),
    "consent_record": (
        lambda a, b, c: services.consent_record(
            actor=a,
            case=b.case,
            kind=ConsentKind.GUARDIAN,
            given_by="Fiktiv Forelder",
            given_on=TODAY,
            services=[c.school, b.health_station],
        ),
        HOLDER_ONLY,
    ),
    "consent_withdraw": (
        lambda a, b, c: services.consent_withdraw(actor=a, consent=b.consent),
        HOLDER_ONLY,
    ),
    "violence_flag_set": (
        lambda a, b, c: services.violence_flag_set(
            actor=a,
            case=b.case,
            justification="Fiktiv grunn: mistanke om vold i hjemmet, beskrevet.",
        ),
        HOLDER_ONLY,
    ),
    "handover_decline": (
        lambda a, b, c: services.handover_decline(actor=a, handover=b.handover),
        ("kg_staff",),
    ),
    "case_close": (
        lambda a, b, c: services.case_close(actor=a, case=b.case, views=VIEWS),
        HOLDER_ONLY,
    ),
    "goal_add": (
        lambda a, b, c: services.goal_add(actor=a, case=b.case, text="Fiktivt mål"),
        WRITERS,
    ),
    "entry_add": (
        lambda a, b, c: services.entry_add(actor=a, case=b.case, text="Fiktivt notat"),
        WRITERS,
    ),
    "action_add": (
        lambda a, b, c: services.action_add(actor=a, case=b.case, data=_action_input(b)),
        WRITERS,
    ),
    "meeting_record": (
        lambda a, b, c: services.meeting_record(
            actor=a,
            case=b.case,
            held_on=TODAY,
            summary="Fiktivt referat",
            actions=[_action_input(b)],
            participants=[b.case.team.get(user=b.case.holder)],
        ),
        WRITERS,
    ),
    "action_evaluate": (
        lambda a, b, c: services.action_evaluate(
            actor=a,
            action=b.action,
            evaluated_on=TODAY,
            text="Fiktiv evaluering",
            status="pagar",
            views=VIEWS,
        ),
        WRITERS,
    ),
}
ACTORS = ("holder", "nurse", "unit_leader", "outsider", "kg_staff")


def _actor(cast, bti, name):
    if name == "holder":
        return bti.case.holder
    if name == "unit_leader":
        return cast["unit_leader"]
    return getattr(bti, name)


@pytest.mark.parametrize("service", CALLS)
def test_service_refuses_whom_the_rules_refuse_and_writes_nothing(cast, service):
    call, others_who_may = CALLS[service]
    bti = build_bti(cast)
    wrong = []
    for name in ACTORS:
        # A call that was rolled back may have changed the objects in memory.
        for obj in (bti.case, bti.consent, bti.handover, bti.action):
            obj.refresh_from_db()
        may = name in others_who_may or (name == "holder" and service != "handover_decline")
        with transaction.atomic():
            before = fingerprint()
            try:
                call(_actor(cast, bti, name), bti, cast)
            except PermissionDenied:
                refused = True
            else:
                refused = False
            changed = changed_tables(before, fingerprint())
            transaction.set_rollback(True)
        if may and (refused or not changed):
            wrong.append(f"{name} may: refused={refused}, changed {changed}")
        elif not may and (not refused or changed):
            wrong.append(f"{name} may not: refused={refused}, changed {changed}")
    assert wrong == [], f"{service}: " + "; ".join(wrong)
