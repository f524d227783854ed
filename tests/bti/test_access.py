"""Who reads a log, attacked from every side: the querysets, the rules and the pages
agree, refused attempts are on record, and nothing leaks the child's name."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from btitracker.models import AccessEvent, Concern, ConcernCase, Consent, HandoverStatus
from btitracker.services import cases as services
from plans.models import Role
from tests.bti.helpers import (
    CHILD_NAME,
    VIEWS,
    login_verified,
)
from tests.factories import MembershipFactory, UserFactory


def readers(case):
    from django.contrib.auth import get_user_model

    return {
        user.username
        for user in get_user_model().objects.all()
        if ConcernCase.objects.visible_to(user).filter(pk=case.pk).exists()
    }


def test_only_holder_team_with_consent_and_leader_read_the_log(cast, bti):
    assert readers(bti.case) == {"ansatt", "virksomhetsleder", "helsesykepleier"}


def test_rules_mirror_the_queryset_for_every_user(cast, bti):
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.all():
        in_queryset = ConcernCase.objects.visible_to(user).filter(pk=bti.case.pk).exists()
        assert user.has_perm("btitracker.view_concerncase", bti.case) == in_queryset, user
        concern_visible = Concern.objects.visible_to(user).filter(pk=bti.concern.pk).exists()
        assert user.has_perm("btitracker.view_concern", bti.concern) == concern_visible, user


def test_level_zero_concern_is_read_by_author_and_unit_leader_only(cast, bti):
    from django.contrib.auth import get_user_model

    seen = {
        u.username
        for u in get_user_model().objects.all()
        if Concern.objects.visible_to(u).filter(pk=bti.pending_concern.pk).exists()
    }
    assert seen == {"ansatt", "virksomhetsleder"}


def test_expired_consent_leaves_only_the_holder(cast, bti):
    Consent.objects.filter(pk=bti.consent.pk).update(
        given_on=timezone.localdate() - datetime.timedelta(days=30),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert readers(bti.case) == {"ansatt"}


def test_withdrawn_consent_leaves_only_the_holder(cast, bti):
    services.consent_withdraw(actor=cast["staff"], consent=bti.consent)
    assert readers(bti.case) == {"ansatt"}


def test_violence_flag_keeps_the_team_without_guardian_consent(cast, bti):
    services.consent_withdraw(actor=cast["staff"], consent=bti.consent)
    services.violence_flag_set(
        actor=cast["staff"],
        case=bti.case,
        justification=(
            "Fiktiv begrunnelse: barnet forteller om slag hjemme, foresatte skal ikke varsles."
        ),
    )
    assert readers(bti.case) == {"ansatt", "virksomhetsleder", "helsesykepleier"}
    with pytest.raises(services.ValidationError):
        services.consent_record(
            actor=cast["staff"],
            case=bti.case,
            kind="foresatte",
            given_by="Forelder",
            given_on=timezone.localdate(),
            services=[cast.school],
        )


def test_violence_flag_needs_a_written_justification(cast, bti):
    with pytest.raises(services.ValidationError):
        services.violence_flag_set(actor=cast["staff"], case=bti.case, justification="kort")
    bti.case.refresh_from_db()
    assert not bti.case.violence_suspected


def test_adding_a_service_without_consent_is_refused(cast, bti):
    with pytest.raises(services.ValidationError) as error:
        services.team_member_add(
            actor=cast["staff"],
            case=bti.case,
            user=bti.kg_staff,
            unit=cast.kindergarten,
            access="les",
        )
    assert "Samtykket omfatter ikke" in str(error.value)
    services.consent_record(
        actor=cast["staff"],
        case=bti.case,
        kind="foresatte",
        given_by="Fiktiv Forelder",
        given_on=timezone.localdate(),
        services=[cast.school, bti.health_station, cast.kindergarten],
    )
    services.team_member_add(
        actor=cast["staff"], case=bti.case, user=bti.kg_staff, unit=cast.kindergarten, access="les"
    )
    assert "barnehagelaerer" in readers(bti.case)


def test_own_consent_only_from_the_configured_age(cast, bti, settings):
    settings.BTI_OWN_CONSENT_AGE = 15
    with pytest.raises(services.ValidationError):
        services.consent_record(
            actor=cast["staff"],
            case=bti.case,
            kind="eget",
            given_by="Barnet selv",
            given_on=timezone.localdate(),
            services=[cast.school],
        )
    settings.BTI_OWN_CONSENT_AGE = 5
    services.consent_record(
        actor=cast["staff"],
        case=bti.case,
        kind="eget",
        given_by="Barnet selv",
        given_on=timezone.localdate(),
        services=[cast.school],
    )


def test_pending_handover_gives_the_new_holder_nothing_until_accepted(cast, client, bti):
    assert "barnehagelaerer" not in readers(bti.case)
    login_verified(client, bti.kg_staff)
    assert client.get(reverse("bti:case-detail", args=[bti.case.pk])).status_code == 404
    page = client.get(reverse("bti:handover-accept", args=[bti.handover.pk]))
    assert page.status_code == 200
    assert CHILD_NAME not in page.content.decode()
    # Accepting without a consent naming the new unit is refused.
    response = client.post(
        reverse("bti:handover-accept", args=[bti.handover.pk]),
        {
            "answer": "accept",
            "kind": "foresatte",
            "given_by": "Fiktiv Forelder",
            "given_on": timezone.localdate().isoformat(),
            "services": [cast.school.pk],
        },
    )
    assert response.status_code == 400
    response = client.post(
        reverse("bti:handover-accept", args=[bti.handover.pk]),
        {
            "answer": "accept",
            "kind": "foresatte",
            "given_by": "Fiktiv Forelder",
            "given_on": timezone.localdate().isoformat(),
            "services": [cast.kindergarten.pk],
        },
    )
    assert response.status_code == 302
    bti.case.refresh_from_db()
    assert bti.case.holder == bti.kg_staff
    assert bti.case.holder_unit == cast.kindergarten
    assert bti.case.handovers.get().status == HandoverStatus.ACCEPTED
    # The new consent names only the kindergarten: the school's people lose access.
    assert readers(bti.case) == {"barnehagelaerer"}


@pytest.mark.parametrize(
    "who",
    ["outsider", "bti_coordinator", "elected_official", "sector_leader", "data_admin", "other"],
)
def test_outsiders_get_404_and_a_denied_event(cast, client, bti, who):
    if who == "outsider":
        user = bti.outsider
    elif who == "other":
        user = cast["other_municipality"]
    else:
        user = cast[who]
    login_verified(client, user)
    before = AccessEvent.objects.filter(outcome="avvist").count()
    for name in ("bti:case-detail", "bti:case-export", "bti:case-access-log"):
        response = client.get(reverse(name, args=[bti.case.pk]))
        assert response.status_code == 404, (name, who)
        assert CHILD_NAME not in response.content.decode()
    response = client.get(reverse("bti:concern-detail", args=[bti.concern.pk]))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(outcome="avvist").count() == before + 4
    denied = AccessEvent.objects.filter(outcome="avvist").last()
    assert denied.actor_id == user.pk
    assert denied.object_id == bti.concern.pk


def test_superuser_without_membership_reads_no_log(cast, client, bti):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("bti:case-detail", args=[bti.case.pk])).status_code == 404


def test_read_only_team_member_cannot_write(cast, client, bti):
    reader = UserFactory(username="leser")
    MembershipFactory(
        user=reader, municipality=cast.municipality, unit=cast.school, role=Role.STAFF
    )
    services.team_member_add(
        actor=cast["staff"], case=bti.case, user=reader, unit=cast.school, access="les"
    )
    login_verified(client, reader)
    assert client.get(reverse("bti:case-detail", args=[bti.case.pk])).status_code == 200
    assert client.get(reverse("bti:case-goal-add", args=[bti.case.pk])).status_code == 403
    response = client.post(reverse("bti:case-entry-add", args=[bti.case.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not bti.case.entries.exists()


def test_unverified_staff_is_sent_to_the_second_factor(cast, client, bti):
    client.force_login(cast["staff"])
    response = client.get(reverse("bti:case-detail", args=[bti.case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("bti:otp-enrol"))
    assert CHILD_NAME not in response.content.decode()


def test_search_finds_only_readable_logs_by_exact_name_and_date(cast, client, bti):
    login_verified(client, cast["staff"])
    url = reverse("bti:search")
    found = client.post(url, {"child_name": "  fiktiv   TESTESEN ", "birth_date": "2016-03-14"})
    assert f"Stafettlogg nr. {bti.case.pk}" in found.content.decode()
    assert AccessEvent.objects.filter(action="search", actor_id=cast["staff"].pk).exists()
    client.logout()
    login_verified(client, bti.outsider)
    nothing = client.post(url, {"child_name": CHILD_NAME, "birth_date": "2016-03-14"})
    assert f"Stafettlogg nr. {bti.case.pk}" not in nothing.content.decode()


def test_overview_lists_with_constant_queries(cast, client, bti, django_assert_max_num_queries):
    from btitracker.models import ConcernCase as Case

    login_verified(client, cast["staff"])
    url = reverse("bti:home")
    with django_assert_max_num_queries(25) as one:
        assert client.get(url).status_code == 200
    for number in range(8):
        concern = services.concern_create(
            actor=cast["staff"],
            unit=cast.school,
            observation=f"Fiktiv {number}",
            band=bti.concern.band,
            child_name=f"Fiktiv Barn{number}",
            birth_date=datetime.date(2015, 1, 1 + number),
        )
        case = services.concern_decide(
            actor=cast["unit_leader"],
            concern=concern,
            decision="niva1",
            holder=cast["staff"],
            views=VIEWS,
        )
        assert isinstance(case, Case)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_write_rule_mirrors_writable_by_for_every_user(cast, bti):
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.all():
        writable = ConcernCase.objects.writable_by(user).filter(pk=bti.case.pk).exists()
        assert user.has_perm("btitracker.change_concerncase", bti.case) == writable, user
    assert {
        u.username
        for u in get_user_model().objects.all()
        if u.has_perm("btitracker.change_concerncase", bti.case)
    } == {"ansatt", "helsesykepleier"}
