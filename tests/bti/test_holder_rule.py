"""The relay holder's rule and the proposed holder's, each written once as a queryset
(``ConcernCase.objects.held_by``, ``Handover.objects.awaiting``) and asked by the pages,
the rules and the services alike."""

from __future__ import annotations

import pytest
import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from btitracker.models import CaseStatus, ConcernCase, Handover, HandoverStatus
from btitracker.services import cases as services
from plans.access import forget_access
from plans.models import Membership
from tests.bti.helpers import VIEWS, login_verified


def _others(cast, bti):
    return (bti.nurse, cast["unit_leader"], bti.outsider, bti.kg_staff)


def test_only_the_holder_of_an_open_log_holds_it(cast, bti):
    assert list(ConcernCase.objects.held_by(bti.case.holder)) == [bti.case]
    for user in _others(cast, bti):  # a writer on the team and the unit's leader included
        assert not ConcernCase.objects.held_by(user).exists(), user


def test_the_hold_rule_is_the_queryset_for_every_user(cast, bti):
    for user in get_user_model().objects.all():
        held = ConcernCase.objects.held_by(user).filter(pk=bti.case.pk).exists()
        assert rules.has_perm("btitracker.hold_concerncase", user, bti.case) == held, user


def test_the_holders_pages_follow_the_rule(cast, client, bti):
    url = reverse("bti:case-level", args=[bti.case.pk])
    detail = reverse("bti:case-detail", args=[bti.case.pk])
    login_verified(client, bti.case.holder)
    assert client.get(url).status_code == 200
    assert "Endre nivå" in client.get(detail).content.decode()
    login_verified(client, bti.nurse)  # reads and writes the log, but does not hold it
    assert client.get(url).status_code == 403
    assert "Endre nivå" not in client.get(detail).content.decode()


def test_a_closed_log_is_held_by_nobody_in_page_rule_or_service(cast, client, bti):
    ConcernCase.objects.filter(pk=bti.case.pk).update(status=CaseStatus.CLOSED)
    bti.case.refresh_from_db()
    holder = bti.case.holder
    assert not ConcernCase.objects.held_by(holder).exists()
    assert not rules.has_perm("btitracker.hold_concerncase", holder, bti.case)
    with pytest.raises(PermissionDenied):
        services.case_level_change(actor=holder, case=bti.case, level=2, views=VIEWS)
    login_verified(client, holder)
    assert client.get(reverse("bti:case-level", args=[bti.case.pk])).status_code == 403
    detail = client.get(reverse("bti:case-detail", args=[bti.case.pk]))
    assert detail.status_code == 200
    assert "Endre nivå" not in detail.content.decode()
    # The archive copy stays theirs to take out for the pupil file.
    assert holder.has_perm("btitracker.export_concerncase", bti.case)
    assert not bti.nurse.has_perm("btitracker.export_concerncase", bti.case)


def test_only_the_proposed_holder_answers_a_handover(cast, bti):
    kg_staff = bti.kg_staff
    assert list(Handover.objects.awaiting(kg_staff)) == [bti.handover]
    for user in (bti.case.holder, bti.nurse, cast["unit_leader"], bti.outsider):
        assert not Handover.objects.awaiting(user).exists(), user
    # Once answered, it waits for nobody.
    services.handover_decline(actor=kg_staff, handover=bti.handover)
    assert not Handover.objects.awaiting(kg_staff).exists()


def test_a_proposed_holder_who_left_the_municipality_cannot_answer(cast, bti):
    """The page always asked for a member of the log's municipality; the services now ask
    the same queryset, so a direct call is refused too."""
    kg_staff = bti.kg_staff
    Membership.objects.filter(user=kg_staff).delete()
    forget_access(kg_staff)
    with pytest.raises(PermissionDenied):
        services.handover_decline(actor=kg_staff, handover=bti.handover)
    bti.handover.refresh_from_db()
    assert bti.handover.status == HandoverStatus.PENDING
