"""The BTI cast on top of tests/conftest.py's: a log held by the school's staff member
with consent naming the school and the health station, a nurse on the team, a member of
the school's staff who is not on the team, a pending concern, and a handover pending to
the kindergarten. And a real TOTP login, and the e-mailed code that comes before TOTP
set-up."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from btitracker.models import ConsentKind, TeamAccess
from btitracker.services import cases as services
from plans.access import forget_access
from plans.models import Role, UnitKind
from tests.factories import MembershipFactory, UnitFactory, UserFactory

CHILD_NAME = "Fiktiv Testesen"
CHILD_BIRTH = datetime.date(2016, 3, 14)
EXPECTING_PARENT = "Fiktiv Gravidsen"
# The child's and the family's view, as a decision or an evaluation records it.
VIEWS = services.OwnViewsInput(
    child_view="Fiktivt: barnet sier at friminuttene er det verste.",
    family_view="Fiktivt: foreldrene ønsker tett kontakt med skolen.",
)


def current_token(device: TOTPDevice) -> str:
    """The code an authenticator app would show now, from django_otp's own TOTP."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def otp_verify(client, user) -> None:
    """Verify the client's session with a real TOTP token, as the login page would."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    # The same code may be used once per 30 s window; tests log in many times a window.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    response = client.post(reverse("bti:otp-verify"), {"token": current_token(device)})
    assert response.status_code == 302, response.content[:500]


def enrol_code_from_outbox(address: str) -> str:
    """The set-up code of the newest mail to ``address`` in the locmem outbox."""
    sent = [message for message in mail.outbox if message.to == [address]]
    assert sent, f"no mail to {address}"
    found = re.search(r"^(\d{8})$", sent[-1].body, re.MULTILINE)
    assert found, sent[-1].body
    return found.group(1)


def enrol_code_confirm(client, user) -> None:
    """Step one of TOTP set-up as a person does it: ask for the e-mailed code, read it
    from the mail, enter it. Afterwards the set-up page shows the QR code and secret."""
    response = client.post(reverse("bti:otp-enrol"), {"step": "send"})
    assert response.status_code == 302, response.content[:500]
    code = enrol_code_from_outbox(user.email)
    response = client.post(reverse("bti:otp-enrol"), {"step": "code", "code": code})
    assert response.status_code == 302, response.content[:500]


def login_verified(client, user):
    client.force_login(user)
    otp_verify(client, user)
    return client


# The same as the forms post them.
VIEWS_POST = {"child_view": VIEWS.child_view, "family_view": VIEWS.family_view}


@dataclass
class UnbornCast:
    case: object  # a log started before birth, held by the nurse
    leader: object  # the health station's leader
    consent: object


def build_unborn(cast) -> UnbornCast:
    """A log at the health station about an expected child (the pregnant woman's name
    and the expected date), held by the nurse, with her consent; built on demand so the
    other BTI tests keep their counts."""
    found = getattr(cast, "_bti_unborn", None)
    if found is not None:
        return found
    bti = build_bti(cast)
    health = bti.health_station
    leader = UserFactory(username="helsestasjonsleder")
    MembershipFactory(
        user=leader, municipality=cast.municipality, unit=health, role=Role.UNIT_LEADER
    )
    forget_access(leader)
    bands = services.concern_bands_ensure(municipality=cast.municipality)
    concern = services.concern_create(
        actor=bti.nurse,
        unit=health,
        observation="Fiktiv: den gravide forteller om et vanskelig nettverk.",
        band=bands[0],
    )
    case = services.concern_decide(
        actor=leader,
        concern=concern,
        decision="niva1",
        expecting_parent=EXPECTING_PARENT,
        expected_on=timezone.localdate() + datetime.timedelta(days=60),
        holder=bti.nurse,
        views=services.OwnViewsInput(
            missing_reason="Fiktivt: barnet er ikke født.",
            family_view="Fiktivt: den gravide ønsker hjelp.",
        ),
    )
    consent = services.consent_record(
        actor=bti.nurse,
        case=case,
        kind=ConsentKind.EXPECTING,
        given_by=EXPECTING_PARENT,
        given_on=timezone.localdate(),
        services=[health],
    )
    found = UnbornCast(case=case, leader=leader, consent=consent)
    object.__setattr__(cast, "_bti_unborn", found)
    return found


@dataclass
class BtiCast:
    case: object
    concern: object  # decided: the log's source
    pending_concern: object
    handover: object
    health_station: object
    nurse: object
    outsider: object  # school staff, not on the team
    kg_staff: object
    consent: object
    action: object


def build_bti(cast) -> BtiCast:
    found = getattr(cast, "_bti", None)
    if found is not None:
        return found
    health = UnitFactory(
        municipality=cast.municipality, name="Solvik helsestasjon", kind=UnitKind.HEALTH_STATION
    )

    def member(username, role, unit):
        user = UserFactory(username=username)
        MembershipFactory(user=user, municipality=cast.municipality, unit=unit, role=role)
        forget_access(user)
        return user

    nurse = member("helsesykepleier", Role.STAFF, health)
    outsider = member("ansatt-utenfor", Role.STAFF, cast.school)
    kg_staff = member("barnehagelaerer", Role.STAFF, cast.kindergarten)
    staff, leader = cast["staff"], cast["unit_leader"]
    bands = services.concern_bands_ensure(municipality=cast.municipality)
    concern = services.concern_create(
        actor=staff,
        unit=cast.school,
        observation="Fiktiv observasjon: trøtt og lei seg i flere uker.",
        duration="Tre uker",
        band=bands[1],
        child_name=CHILD_NAME,
        birth_date=CHILD_BIRTH,
    )
    case = services.concern_decide(
        actor=leader,
        concern=concern,
        decision="niva1",
        note="Vi følger opp.",
        holder=staff,
        views=VIEWS,
    )
    consent = services.consent_record(
        actor=staff,
        case=case,
        kind=ConsentKind.GUARDIAN,
        given_by="Fiktiv Forelder",
        given_on=timezone.localdate(),
        services=[cast.school, health],
    )
    services.team_member_add(
        actor=staff, case=case, user=nurse, unit=health, access=TeamAccess.WRITE
    )
    member = case.team.get(user=staff)
    today = timezone.localdate()
    action = services.action_add(
        actor=staff,
        case=case,
        data=services.ActionInput(
            "Fiktivt tiltak: fast voksen i friminuttene.",
            member,
            today,
            today + datetime.timedelta(days=30),
        ),
    )
    pending = services.concern_create(
        actor=staff,
        unit=cast.school,
        observation="Fiktiv: en annen undring uten navn.",
        band=bands[0],
    )
    handover = services.handover_propose(
        actor=staff, case=case, to_holder=kg_staff, to_unit=cast.kindergarten
    )
    found = BtiCast(
        case=case,
        concern=concern,
        pending_concern=pending,
        handover=handover,
        health_station=health,
        nurse=nurse,
        outsider=outsider,
        kg_staff=kg_staff,
        consent=consent,
        action=action,
    )
    object.__setattr__(cast, "_bti", found)
    return found
