"""Every change to BTI data. Keyword-only, atomic, checking the actor's right again (the
views check it first) and writing the access event themselves."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from btitracker import audit
from btitracker.crypto import child_lookup_hash, encrypt_bytes
from btitracker.meeting_rules import meeting_actions_errors
from btitracker.models import (
    DEFAULT_BANDS,
    UNBORN_NAME_PREFIX,
    Action,
    ActionStat,
    ActionStatus,
    AgeBand,
    CaseDecision,
    CaseDecisionKind,
    CaseStatus,
    Child,
    Concern,
    ConcernBand,
    ConcernCase,
    Consent,
    ConsentKind,
    ConsultationMatter,
    Decision,
    Evaluation,
    Goal,
    Guardian,
    Handover,
    HandoverStatus,
    LogEntry,
    Meeting,
    StatEvent,
    StatEventKind,
    TeamAccess,
    TeamMember,
)
from btitracker.permissions import works_in
from btitracker.selectors.cases import case_printout_context
from plans.models import Municipality, Unit, UnitKind
from plans.schoolyear import SchoolYear
from plans.text import clean_free_text, normalise_name, require_lengths, validate_name

MIN_JUSTIFICATION = 30


class Act:
    """The action names of the access log."""

    VIEW = "view"
    LIST = "list"
    SEARCH = "search"
    EXPORT = "export"
    CREATE = "create"
    CHANGE = "change"
    DECIDE = "decide"
    CONSENT = "consent"
    HANDOVER = "handover"
    CLOSE = "close"
    HISTORY = "access_history"
    # Setting up the second factor (btitracker/services/enrolment.py); the code is never logged.
    OTP_CODE_SENT = "otp_code_sent"
    OTP_CODE_WRONG = "otp_code_wrong"
    OTP_CODE_OK = "otp_code_ok"
    OTP_ENROLLED = "otp_enrolled"
    # A wrong TOTP code at login (btitracker.views.cases.OtpVerifyView).
    OTP_LOGIN_WRONG = "otp_login_wrong"
    # A membership or role given, changed or taken away (btitracker.signals).
    MEMBERSHIP_SAVED = "membership_saved"
    MEMBERSHIP_DELETED = "membership_deleted"
    # The birth of a child whose log started before birth: written with the expected
    # child's pseudonym and again with the born child's, so the two can be followed.
    BIRTH = "birth_recorded"


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _quarter(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


# --- The child's and the family's own view ------------------------------------------------


@dataclass(frozen=True)
class OwnViewsInput:
    """What the child or youth and the family think, at an evaluation or a decision; or,
    when either could not be obtained, why (``missing_reason``)."""

    child_view: str = ""
    family_view: str = ""
    missing_reason: str = ""


def _own_views_cleaned(views: OwnViewsInput | None, *, required: bool = True) -> dict[str, str]:
    """The three texts as stored (``plans.text``: steering characters refused, lengths
    bounded), or the errors under the form's field names. Both views are required unless
    the reason says why one or both could not be obtained."""
    views = views or OwnViewsInput()
    labels = {
        "child_view": _("Barnets eller ungdommens syn"),
        "family_view": _("Familiens syn"),
        "views_missing_reason": _("Hvorfor synet ikke er innhentet"),
    }
    raw = {
        "child_view": views.child_view,
        "family_view": views.family_view,
        "views_missing_reason": views.missing_reason,
    }
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field, value in raw.items():
        try:
            cleaned[field] = clean_free_text(value or "", label=str(labels[field]))
        except ValidationError as error:
            errors[field] = error.messages
            cleaned[field] = ""
    try:
        # Every model with the views shares OwnViews' fields, so one model's limits do.
        require_lengths(Evaluation, **cleaned)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if required and not errors and not cleaned["views_missing_reason"]:
        missing = _("Skriv hva %(who)s mener, eller skriv under hvorfor det ikke kunne innhentes.")
        if not cleaned["child_view"]:
            errors["child_view"] = [missing % {"who": _("barnet eller ungdommen")}]
        if not cleaned["family_view"]:
            errors["family_view"] = [missing % {"who": _("familien")}]
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- The scale and the child -------------------------------------------------------------


def concern_bands_ensure(*, municipality: Municipality) -> list[ConcernBand]:
    """The municipality's concern scale, created with the default steps the first time."""
    for order, name, requires_report in DEFAULT_BANDS:
        ConcernBand.objects.get_or_create(
            municipality=municipality,
            order=order,
            defaults={"name": str(name), "requires_report": requires_report},
        )
    return list(ConcernBand.objects.filter(municipality=municipality).order_by("order"))


# A BTI log may start before birth (an expected child) and follows children and youth.
UNBORN_MONTHS = 9
OLDEST_YEARS = 25


def _months_from(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _birth_date_errors(birth_date: datetime.date, *, field: str = "birth_date") -> dict[str, str]:
    """A birth date no later than nine months ahead (an unborn child) and no earlier
    than 25 years ago; anything else is a typing error, not a child."""
    today = timezone.localdate()
    latest = _months_from(today, UNBORN_MONTHS)
    earliest = _months_from(today, -12 * OLDEST_YEARS)
    if birth_date > latest:
        return {
            field: _("Fødselsdatoen kan ikke ligge mer enn %(months)s måneder fram i tid.")
            % {"months": UNBORN_MONTHS}
        }
    if birth_date < earliest:
        return {
            field: _("Fødselsdatoen kan ikke ligge mer enn %(years)s år tilbake i tid.")
            % {"years": OLDEST_YEARS}
        }
    return {}


def _person_name(value: str, *, field: str, model=Child, model_field: str = "name") -> str:
    """A person's name as stored: steering characters refused, normalised
    (``plans.text``), within the field's length; errors under ``field``."""
    try:
        validate_name(value)
        name = normalise_name(value)
        require_lengths(model, **{model_field: name})
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return name


def child_find_or_create(*, municipality: Municipality, name: str, birth_date: datetime.date):
    """The child with this name and birth date in the municipality, found by the keyed
    hash — never by decrypting and comparing names. The name is normalised first, so a
    zero-width space or another spelling of the same letters is the same child."""
    name = _person_name(name, field="child_name")
    if not name:
        raise ValidationError({"child_name": _("Skriv barnets navn.")})
    errors = _birth_date_errors(birth_date)
    if errors:
        raise ValidationError(errors)
    return _child_by_hash(
        municipality, child_lookup_hash(name, birth_date), name=name, birth_date=birth_date
    )


def _child_by_hash(municipality: Municipality, lookup: str, **fields) -> Child:
    """The child with this lookup hash in the municipality, or a new one with ``fields``."""
    child = Child.objects.filter(municipality=municipality, lookup_hash=lookup).first()
    if child is None:
        child = Child.objects.create(municipality=municipality, lookup_hash=lookup, **fields)
    return child


# How far an expected date may lie: up to the nine months of a pregnancy ahead, and a
# month back (a child may be late; a child born is registered with its birth date).
EXPECTED_BACK_MONTHS = 1


def _expected_date_errors(expected_on: datetime.date) -> dict[str, str]:
    today = timezone.localdate()
    if expected_on > _months_from(today, UNBORN_MONTHS):
        return {
            "expected_on": _("Termindatoen kan ikke ligge mer enn %(months)s måneder fram i tid.")
            % {"months": UNBORN_MONTHS}
        }
    if expected_on < _months_from(today, -EXPECTED_BACK_MONTHS):
        return {
            "expected_on": _(
                "Termindatoen kan ikke ligge mer enn én måned tilbake i tid. Er barnet født, "
                "oppgi barnets navn og fødselsdato."
            )
        }
    return {}


def _unborn_name(expecting_parent: str) -> str:
    """What identifies an expected child until it is born: «Barn av <the pregnant
    woman>». The lookup hash is made from it and the expected date, so the search page
    finds the record by that name and the expected date."""
    return f"{UNBORN_NAME_PREFIX} {expecting_parent}"


def unborn_child_find_or_create(
    *, municipality: Municipality, expecting_parent: str, expected_on: datetime.date
) -> Child:
    """The expected child of this pregnant woman with this expected date, found by the
    keyed hash of «Barn av <her name>» and the date (so registering her twice is one
    record), or a new one without a birth date."""
    parent = _person_name(
        expecting_parent, field="expecting_parent", model=Child, model_field="expecting_parent"
    )
    if not parent:
        raise ValidationError({"expecting_parent": _("Skriv navnet til den gravide.")})
    name = _person_name(_unborn_name(parent), field="expecting_parent")
    errors = _expected_date_errors(expected_on)
    if errors:
        raise ValidationError(errors)
    return _child_by_hash(
        municipality,
        child_lookup_hash(name, expected_on),
        name=name,
        birth_date=None,
        expected_on=expected_on,
        expecting_parent=parent,
    )


@dataclass
class Rehashed:
    changed: int
    # Pairs of children that turn out to be the same child (same municipality, same
    # normalised name and birth date): left as they are, for a person to merge.
    duplicates: list[tuple[int, int]]


def children_rehash() -> Rehashed:
    """Store every child's name normalised and its lookup hash with the current rules
    (``plans.text.name_key``), so a child registered before the rules changed is still
    found. Safe to run again: a child already up to date is not touched."""
    changed = 0
    duplicates: list[tuple[int, int]] = []
    with transaction.atomic():
        for child in Child.objects.select_for_update().order_by("pk"):
            name = normalise_name(child.name)
            lookup = child_lookup_hash(name, child.key_date)
            if lookup == child.lookup_hash and name == child.name:
                continue
            twin = (
                Child.objects.filter(municipality_id=child.municipality_id, lookup_hash=lookup)
                .exclude(pk=child.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if twin is not None:
                duplicates.append((twin, child.pk))
                continue
            child.name, child.lookup_hash = name, lookup
            child.save(update_fields=["name", "lookup_hash"])
            changed += 1
    return Rehashed(changed=changed, duplicates=duplicates)


def _first_concern_for(child: Child, exclude_pk: int | None) -> bool:
    others = child.concerns.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return not others.exists()


# --- Level 0 ---------------------------------------------------------------------------------


def concern_create(
    *,
    actor,
    unit: Unit,
    observation: str,
    band: ConcernBand,
    duration: str = "",
    child_name: str = "",
    birth_date: datetime.date | None = None,
    consultation_matter: ConsultationMatter | None = None,
    ip_address: str | None = None,
) -> Concern:
    """A staff member's undring. The child may be named now or at the leader's decision.
    ``consultation_matter``: the consultation meeting's anonymous matter it came from (one
    the actor reads, discussed at this unit's meeting)."""
    _require(works_in(user=actor, unit=unit))
    if consultation_matter is not None and not (
        ConsultationMatter.objects.visible_to(actor).filter(pk=consultation_matter.pk).exists()
        and consultation_matter.meeting.schedule.unit_id == unit.pk
    ):
        raise ValidationError(
            {"unit": _("Saken fra samarbeidsmøtet ble drøftet for en annen enhet.")}
        )
    if band.municipality_id != unit.municipality_id:
        raise ValidationError({"band": _("Velg et trinn på kommunens skala.")})
    if not observation.strip():
        raise ValidationError({"observation": _("Beskriv hva du har sett eller hørt.")})
    require_lengths(Concern, observation=observation.strip(), duration=duration.strip())
    if bool(child_name.strip()) != (birth_date is not None):
        raise ValidationError(_("Oppgi både navn og fødselsdato, eller ingen av dem."))
    today = timezone.localdate()
    with transaction.atomic():
        child = (
            child_find_or_create(
                municipality=unit.municipality, name=child_name, birth_date=birth_date
            )
            if birth_date is not None
            else None
        )
        concern = Concern(
            municipality=unit.municipality,
            unit=unit,
            author=actor,
            child=child,
            observation=observation.strip(),
            duration=duration.strip(),
            band=band,
            decision_due=today + datetime.timedelta(days=settings.BTI_DECISION_DAYS),
            consultation_matter=consultation_matter,
        )
        concern.save()
        age = child.age_on(today) if child else None
        concern.stat = StatEvent.objects.create(
            municipality=unit.municipality,
            kind=StatEventKind.CONCERN,
            level=0,
            unit_kind=unit.kind,
            unit=unit,
            year=today.year,
            quarter=_quarter(today),
            school_year=SchoolYear.current(today).start_year,
            age_band=AgeBand.for_age(age),
            age_years=age,
            first_for_child=child is not None and _first_concern_for(child, concern.pk),
        )
        concern.save(update_fields=["stat"])
        audit.record(
            actor=actor, action=Act.CREATE, obj=concern, concern=concern, ip_address=ip_address
        )
    return concern


CASE_DECISIONS: dict[str, int] = {Decision.LEVEL_1: 1, Decision.LEVEL_2: 2}


def concern_decide(
    *,
    actor,
    concern: Concern,
    decision: str,
    note: str = "",
    child_name: str = "",
    birth_date: datetime.date | None = None,
    expecting_parent: str = "",
    expected_on: datetime.date | None = None,
    holder=None,
    views: OwnViewsInput | None = None,
    ip_address: str | None = None,
) -> ConcernCase | None:
    """The unit leader's decision on a level-0 concern: close it, open a log on level 1 or
    2 (naming the child and the relay holder), or record a report to child welfare or the
    police. Returns the new log, if one was opened.

    The child's and the family's view is required (or why it could not be obtained),
    except on a report to child welfare or the police: a report is never held up.
    A health station may open a log before birth: the pregnant woman's name and the
    expected date instead of the child's name and birth date."""
    _require(Concern.objects.decidable_by(actor).filter(pk=concern.pk).exists())
    if not concern.is_pending:
        raise ValidationError(_("Undringen er allerede besluttet."))
    if decision not in Decision.values or decision == Decision.PENDING:
        raise ValidationError({"decision": _("Velg en beslutning.")})
    require_lengths(Concern, decision_note=note.strip())
    reports = decision in (Decision.CHILD_WELFARE, Decision.POLICE)
    own_views = _own_views_cleaned(views, required=not reports)
    unborn = bool(expecting_parent.strip()) or expected_on is not None
    if unborn:
        if child_name.strip() or birth_date is not None:
            raise ValidationError(
                _(
                    "Oppgi enten barnets navn og fødselsdato, eller den gravide og "
                    "termindatoen – ikke begge."
                )
            )
        if concern.unit.kind != UnitKind.HEALTH_STATION:
            raise ValidationError(
                {
                    "expecting_parent": _(
                        "Bare helsestasjonen (jordmor) kan starte en stafettlogg før fødselen."
                    )
                }
            )
        if not expecting_parent.strip() or expected_on is None:
            raise ValidationError(
                {"expected_on": _("Oppgi både den gravides navn og termindatoen.")}
            )
    case = None
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if not concern.is_pending:
            raise ValidationError(_("Undringen er allerede besluttet."))
        named: Child | None = None
        if unborn and expected_on is not None:
            named = unborn_child_find_or_create(
                municipality=concern.municipality,
                expecting_parent=expecting_parent,
                expected_on=expected_on,
            )
        elif birth_date is not None and child_name.strip():
            named = child_find_or_create(
                municipality=concern.municipality, name=child_name, birth_date=birth_date
            )
        if named is not None:
            concern.child = named
            stat = concern.stat
            if stat is not None and stat.age_years is None:
                age = named.age_on(concern.created_at.date())
                stat.age_years = age
                stat.age_band = AgeBand.for_age(age)
                stat.first_for_child = _first_concern_for(named, concern.pk)
                stat.save(update_fields=["age_years", "age_band", "first_for_child"])
        if decision in CASE_DECISIONS:
            if concern.child is None:
                raise ValidationError(
                    {
                        "child_name": _(
                            "En stafettlogg krever barnets navn og fødselsdato (før fødselen: "
                            "den gravides navn og termindatoen)."
                        )
                    }
                )
            if holder is None or not works_in(user=holder, unit=concern.unit):
                raise ValidationError(
                    {
                        "holder": _("Stafettholderen må være ansatt ved %(unit)s.")
                        % {"unit": concern.unit.name}
                    }
                )
            today = timezone.localdate()
            case = ConcernCase.objects.create(
                municipality=concern.municipality,
                child=concern.child,
                level=CASE_DECISIONS[decision],
                holder=holder,
                holder_unit=concern.unit,
                source_concern=concern,
            )
            # The holder is on the team (a responsible person for actions) from the start.
            TeamMember.objects.create(
                case=case, user=holder, unit=concern.unit, access=TeamAccess.WRITE
            )
            age = concern.child.age_on(today)
            StatEvent.objects.create(
                municipality=concern.municipality,
                kind=StatEventKind.CASE,
                level=case.level,
                unit_kind=concern.unit.kind,
                unit=concern.unit,
                year=today.year,
                quarter=_quarter(today),
                school_year=SchoolYear.current(today).start_year,
                age_band=AgeBand.for_age(age),
                age_years=age,
            )
        concern.decision = decision
        concern.decision_note = note.strip()
        concern.child_view = own_views["child_view"]
        concern.family_view = own_views["family_view"]
        concern.views_missing_reason = own_views["views_missing_reason"]
        concern.decided_by = actor
        concern.decided_at = timezone.now()
        concern.save()
        audit.record(
            actor=actor, action=Act.DECIDE, obj=concern, concern=concern, ip_address=ip_address
        )
        if case is not None:
            audit.record(actor=actor, action=Act.CREATE, obj=case, case=case, ip_address=ip_address)
    return case


# --- The log -----------------------------------------------------------------------------


def _writable(actor, case: ConcernCase) -> None:
    _require(ConcernCase.objects.writable_by(actor).filter(pk=case.pk).exists())


def _holder(actor, case: ConcernCase) -> None:
    _require(ConcernCase.objects.held_by(actor).filter(pk=case.pk).exists())


def case_level_change(
    *,
    actor,
    case: ConcernCase,
    level: int,
    views: OwnViewsInput | None = None,
    ip_address=None,
) -> ConcernCase:
    """A new level, kept in the log's decisions with the child's and the family's view."""
    _holder(actor, case)
    if level not in (1, 2, 3):
        raise ValidationError({"level": _("Nivået må være 1, 2 eller 3.")})
    own_views = _own_views_cleaned(views)
    with transaction.atomic():
        CaseDecision.objects.create(
            case=case,
            kind=CaseDecisionKind.LEVEL,
            level_from=case.level,
            level_to=level,
            decided_by=actor,
            **own_views,
        )
        case.level = level
        case.save(update_fields=["level"])
        audit.record(actor=actor, action=Act.CHANGE, obj=case, case=case, ip_address=ip_address)
    return case


def child_birth_record(
    *,
    actor,
    case: ConcernCase,
    name: str,
    birth_date: datetime.date,
    ip_address=None,
) -> Child:
    """The expected child of a log started before birth is born: its name and birth
    date are set and its lookup hash recomputed; the expected date and the pregnant
    woman's name stay on the record. A child with the same name and birth date already
    in the municipality (registered elsewhere after the birth) is refused, not merged:
    two logs about one child need a person to look at them, and merging would open one
    log's history to the other's team. Written to the access log under the expected
    child's pseudonym and again under the born child's, for every log of the child."""
    _holder(actor, case)
    child = case.child
    if not child.is_unborn:
        raise ValidationError(_("Fødselen er allerede registrert."))
    name = _person_name(name, field="name")
    if not name:
        raise ValidationError({"name": _("Skriv barnets navn.")})
    errors = _birth_date_errors(birth_date)
    if not errors and birth_date > timezone.localdate():
        errors = {"birth_date": _("Fødselsdatoen kan ikke ligge fram i tid.")}
    if errors:
        raise ValidationError(errors)
    lookup = child_lookup_hash(name, birth_date)
    twin = Child.objects.filter(municipality_id=child.municipality_id, lookup_hash=lookup)
    if twin.exclude(pk=child.pk).exists():
        audit.record(
            actor=actor,
            action=Act.BIRTH,
            obj=child,
            case=case,
            ip_address=ip_address,
            outcome=audit.Outcome.DENIED,
        )
        raise ValidationError(
            {
                "name": _(
                    "Et barn med dette navnet og denne fødselsdatoen er allerede registrert i "
                    "kommunen. Fødselen er ikke registrert: ta kontakt med den som har "
                    "stafettloggen for det barnet, så dere kan avklare hvem som følger opp."
                )
            }
        )
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        cases = list(child.cases.select_related("child"))
        for each in cases:
            audit.record(actor=actor, action=Act.BIRTH, obj=child, case=each, ip_address=ip_address)
        child.name, child.birth_date, child.lookup_hash = name, birth_date, lookup
        child.born_recorded_at = timezone.now()
        child.save(update_fields=["name", "birth_date", "lookup_hash", "born_recorded_at"])
        for each in cases:
            each.child = child
            audit.record(actor=actor, action=Act.BIRTH, obj=child, case=each, ip_address=ip_address)
    case.child = child
    return child


def guardian_add(*, actor, case: ConcernCase, name: str, contact: str = "", ip_address=None):
    _holder(actor, case)
    name = _person_name(name, field="name", model=Guardian)
    if not name:
        raise ValidationError({"name": _("Skriv navnet til den foresatte.")})
    contact = contact.strip()
    require_lengths(Guardian, contact=contact)
    with transaction.atomic():
        guardian = Guardian.objects.create(child=case.child, name=name, contact=contact)
        audit.record(actor=actor, action=Act.CHANGE, obj=guardian, case=case, ip_address=ip_address)
    return guardian


def _consent_covers(case: ConcernCase, unit: Unit, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return any(
        consent.is_valid_on(day)
        for consent in case.consents.filter(
            services=unit, withdrawn_at__isnull=True, superseded_at__isnull=True
        )
    )


def team_member_add(
    *, actor, case: ConcernCase, user, unit: Unit, access: str, ip_address=None
) -> TeamMember:
    """Add someone to the team. A service the valid consent does not name needs a new
    consent first (not in logs flagged for suspected violence, where none is sought)."""
    _holder(actor, case)
    if unit.municipality_id != case.municipality_id or not works_in(user=user, unit=unit):
        raise ValidationError({"user": _("Personen må arbeide ved den valgte tjenesten.")})
    if access not in TeamAccess.values:
        raise ValidationError({"access": _("Velg tilgang.")})
    if not case.violence_suspected and not _consent_covers(case, unit):
        raise ValidationError(
            {
                "unit": _(
                    "Samtykket omfatter ikke %(unit)s. Registrer et nytt samtykke som nevner "
                    "tjenesten før den får være med i teamet."
                )
                % {"unit": unit.name}
            }
        )
    if case.team.filter(user=user, active=True).exists():
        raise ValidationError({"user": _("Personen er allerede med i teamet.")})
    with transaction.atomic():
        member = TeamMember.objects.create(case=case, user=user, unit=unit, access=access)
        audit.record(actor=actor, action=Act.CHANGE, obj=member, case=case, ip_address=ip_address)
    return member


def team_member_remove(*, actor, member: TeamMember, ip_address=None) -> None:
    _holder(actor, member.case)
    with transaction.atomic():
        member.active = False
        member.removed_at = timezone.now()
        member.save(update_fields=["active", "removed_at"])
        audit.record(
            actor=actor, action=Act.CHANGE, obj=member, case=member.case, ip_address=ip_address
        )


def consent_record(
    *,
    actor,
    case: ConcernCase,
    kind: str,
    given_by: str,
    given_on: datetime.date,
    services: Iterable[Unit],
    expires_on: datetime.date | None = None,
    ip_address=None,
    allow_pending_unit: Unit | None = None,
) -> Consent:
    """Record consent naming every participating service (the holding unit included).
    The youth's own consent counts from ``BTI_OWN_CONSENT_AGE``. In a log flagged for
    suspected violence or abuse guardians are not involved, so no guardian consent."""
    if allow_pending_unit is None:
        _holder(actor, case)
    services = list(services)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if kind not in ConsentKind.values:
        errors["kind"] = _("Velg hvem som har gitt samtykket.")
    if case.child.is_unborn and kind in (ConsentKind.GUARDIAN, ConsentKind.OWN):
        errors["kind"] = _("Før fødselen er det den gravide som samtykker.")
    elif not case.child.is_unborn and kind == ConsentKind.EXPECTING:
        errors["kind"] = _(
            "Barnet er født: samtykket gis nå av foresatte (eller ungdommen selv fra %(age)s år)."
        ) % {"age": settings.BTI_OWN_CONSENT_AGE}
    elif kind == ConsentKind.OWN and case.child.age_on(today) < settings.BTI_OWN_CONSENT_AGE:
        errors["kind"] = _("Eget samtykke gjelder fra %(age)s år. Innhent foresattes samtykke.") % {
            "age": settings.BTI_OWN_CONSENT_AGE
        }
    if kind == ConsentKind.GUARDIAN and case.violence_suspected:
        errors["kind"] = _(
            "Ved mistanke om vold eller overgrep i hjemmet skal foresatte ikke involveres."
        )
    try:
        given_by = _person_name(given_by, field="given_by", model=Consent, model_field="given_by")
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if not given_by.strip():
        errors.setdefault("given_by", _("Skriv hvem som ga samtykket."))
    if given_on > today:
        errors["given_on"] = _("Datoen kan ikke ligge fram i tid.")
    if expires_on is not None and expires_on < given_on:
        errors["expires_on"] = _("Utløpsdatoen må komme etter samtykkedatoen.")
    holding = allow_pending_unit or case.holder_unit
    if holding not in services:
        errors["services"] = _("Samtykket må nevne %(unit)s, som har stafettloggen.") % {
            "unit": holding.name
        }
    if any(unit.municipality_id != case.municipality_id for unit in services):
        errors["services"] = _("Velg tjenester i kommunen.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The new consent replaces the earlier ones: it alone says which services take part.
        case.consents.filter(withdrawn_at__isnull=True, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        consent = Consent.objects.create(
            case=case,
            kind=kind,
            given_by=given_by.strip(),
            given_on=given_on,
            expires_on=expires_on,
            recorded_by=actor,
        )
        consent.services.set(services)
        audit.record(actor=actor, action=Act.CONSENT, obj=consent, case=case, ip_address=ip_address)
    return consent


def consent_withdraw(*, actor, consent: Consent, ip_address=None) -> Consent:
    """Withdrawn consent: from now on only the holder reads the log."""
    _holder(actor, consent.case)
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor, action=Act.CONSENT, obj=consent, case=consent.case, ip_address=ip_address
        )
    return consent


def violence_flag_set(*, actor, case: ConcernCase, justification: str, ip_address=None):
    """Flag suspected violence or abuse in the home: a written justification is
    required, guardians are not involved or notified."""
    _holder(actor, case)
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            {
                "justification": _(
                    "Skriv en begrunnelse på minst %(n)s tegn for hvorfor foresatte ikke "
                    "skal involveres."
                )
                % {"n": MIN_JUSTIFICATION}
            }
        )
    require_lengths(ConcernCase, violence_justification=justification.strip())
    with transaction.atomic():
        case.violence_suspected = True
        case.violence_justification = justification.strip()
        case.save(update_fields=["violence_suspected", "violence_justification"])
        audit.record(actor=actor, action=Act.CHANGE, obj=case, case=case, ip_address=ip_address)
    return case


def goal_add(*, actor, case: ConcernCase, text: str, ip_address=None) -> Goal:
    _writable(actor, case)
    if not text.strip():
        raise ValidationError({"text": _("Skriv målet.")})
    require_lengths(Goal, text=text.strip())
    with transaction.atomic():
        goal = Goal.objects.create(case=case, text=text.strip())
        audit.record(actor=actor, action=Act.CHANGE, obj=goal, case=case, ip_address=ip_address)
    return goal


def entry_add(*, actor, case: ConcernCase, text: str, ip_address=None) -> LogEntry:
    _writable(actor, case)
    if not text.strip():
        raise ValidationError({"text": _("Skriv notatet.")})
    require_lengths(LogEntry, text=text.strip())
    with transaction.atomic():
        entry = LogEntry.objects.create(case=case, author=actor, text=text.strip())
        audit.record(actor=actor, action=Act.CHANGE, obj=entry, case=case, ip_address=ip_address)
    return entry


@dataclass
class ActionInput:
    description: str
    responsible: TeamMember | None
    start_date: datetime.date | None
    evaluation_date: datetime.date | None

    def complete(self) -> tuple[TeamMember, datetime.date, datetime.date]:
        """The required parts, once ``_action_errors`` found none missing."""
        if self.responsible is None or self.start_date is None or self.evaluation_date is None:
            raise ValidationError(_("Tiltaket mangler ansvarlig eller datoer."))
        return self.responsible, self.start_date, self.evaluation_date


def _action_errors(case: ConcernCase, data: ActionInput) -> dict[str, str]:
    errors = {}
    if not data.description.strip():
        errors["description"] = _("Beskriv tiltaket.")
    try:
        require_lengths(Action, description=data.description.strip())
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if data.responsible is None:
        errors["responsible"] = _("Velg en ansvarlig i teamet.")
    elif data.responsible.case_id != case.pk or not data.responsible.active:
        errors["responsible"] = _("Den ansvarlige må være aktivt medlem av teamet.")
    if data.start_date is None:
        errors["start_date"] = _("Oppgi startdato.")
    if data.evaluation_date is None:
        errors["evaluation_date"] = _("Oppgi en dato for oppfølging og evaluering.")
    elif data.start_date and data.evaluation_date < data.start_date:
        errors["evaluation_date"] = _("Evalueringsdatoen kan ikke komme før start.")
    return errors


def action_add(*, actor, case: ConcernCase, data: ActionInput, ip_address=None) -> Action:
    _writable(actor, case)
    errors = _action_errors(case, data)
    if errors:
        raise ValidationError(errors)
    responsible, start, evaluation = data.complete()
    with transaction.atomic():
        action = Action.objects.create(
            case=case,
            description=data.description.strip(),
            responsible=responsible,
            start_date=start,
            evaluation_date=evaluation,
        )
        audit.record(actor=actor, action=Act.CHANGE, obj=action, case=case, ip_address=ip_address)
    return action


def meeting_record(
    *,
    actor,
    case: ConcernCase,
    held_on: datetime.date,
    summary: str,
    actions: Sequence[ActionInput],
    participants: Iterable[TeamMember] = (),
    others_present: str = "",
    ip_address=None,
) -> Meeting:
    """A meeting is saved with its actions and who was there in one transaction, and
    only when it ends with at least one action with a responsible team member and a
    follow-up date, and at least one member of the team was present."""
    _writable(actor, case)
    errors: dict[str, list[str]] = {}
    participants = list(participants)
    if not participants:
        errors.setdefault("participants", []).append(
            _("Kryss av hvem i teamet som var til stede (minst én).")
        )
    elif any(member.case_id != case.pk or not member.active for member in participants):
        errors.setdefault("participants", []).append(
            _("De som var til stede fra teamet, må være aktive medlemmer av teamet.")
        )
    try:
        others_present = clean_free_text(others_present, label=str(_("Andre til stede")))
        require_lengths(Meeting, others_present=others_present)
    except ValidationError as error:
        errors.setdefault("others_present", []).extend(error.messages)
    if not summary.strip():
        errors.setdefault("summary", []).append(_("Skriv et kort referat."))
    try:
        require_lengths(Meeting, summary=summary.strip())
    except ValidationError as error:
        errors.setdefault("summary", []).extend(error.message_dict["summary"])
    complete = [a for a in actions if a.description.strip() or a.responsible or a.evaluation_date]
    action_errors = meeting_actions_errors(complete, lambda data: _action_errors(case, data))
    if action_errors:
        errors.setdefault("__all__", []).extend(action_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            case=case,
            held_on=held_on,
            summary=summary.strip(),
            others_present=others_present,
            created_by=actor,
        )
        meeting.participants.set(participants)
        for data in complete:
            responsible, start, evaluation = data.complete()
            Action.objects.create(
                case=case,
                meeting=meeting,
                description=data.description.strip(),
                responsible=responsible,
                start_date=start,
                evaluation_date=evaluation,
            )
        audit.record(actor=actor, action=Act.CHANGE, obj=meeting, case=case, ip_address=ip_address)
    return meeting


def action_evaluate(
    *,
    actor,
    action: Action,
    evaluated_on: datetime.date,
    text: str,
    status: str,
    effect: str = "",
    views: OwnViewsInput | None = None,
    ip_address=None,
) -> Evaluation:
    """An evaluation of an action, with the child's and the family's view of it."""
    case = action.case
    _writable(actor, case)
    if not text.strip():
        raise ValidationError({"text": _("Skriv evalueringen.")})
    require_lengths(Evaluation, text=text.strip())
    require_lengths(Action, effect=effect.strip())
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Velg status.")})
    own_views = _own_views_cleaned(views)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            action=action,
            evaluated_on=evaluated_on,
            text=text.strip(),
            evaluated_by=actor,
            **own_views,
        )
        action.status = status
        if effect.strip():
            action.effect = effect.strip()
        action.save(update_fields=["status", "effect"])
        ActionStat.objects.get_or_create(
            action_ref=action.pk,
            defaults={
                "municipality_id": case.municipality_id,
                "year": action.evaluation_date.year,
                "school_year": SchoolYear.containing(action.evaluation_date).start_year,
                "on_time": evaluated_on <= action.evaluation_date,
            },
        )
        audit.record(
            actor=actor, action=Act.CHANGE, obj=evaluation, case=case, ip_address=ip_address
        )
    return evaluation


# --- Handover --------------------------------------------------------------------------------


def handover_propose(
    *, actor, case: ConcernCase, to_holder, to_unit: Unit, note: str = "", ip_address=None
) -> Handover:
    _holder(actor, case)
    if to_unit.municipality_id != case.municipality_id or to_unit.pk == case.holder_unit_id:
        raise ValidationError({"to_unit": _("Velg en annen enhet i kommunen.")})
    if not works_in(user=to_holder, unit=to_unit):
        raise ValidationError({"to_holder": _("Ny stafettholder må arbeide ved enheten.")})
    require_lengths(Handover, note=note.strip())
    if case.handovers.filter(status=HandoverStatus.PENDING).exists():
        raise ValidationError(_("En stafettveksling venter allerede på svar."))
    with transaction.atomic():
        handover = Handover.objects.create(
            case=case,
            from_holder=actor,
            from_unit=case.holder_unit,
            to_holder=to_holder,
            to_unit=to_unit,
            note=note.strip(),
        )
        audit.record(
            actor=actor, action=Act.HANDOVER, obj=handover, case=case, ip_address=ip_address
        )
    return handover


def handover_accept(
    *,
    actor,
    handover: Handover,
    consent_kind: str = "",
    given_by: str = "",
    given_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    services: Iterable[Unit] = (),
    ip_address=None,
) -> ConcernCase:
    """The new holder accepts: a new consent naming the new unit is recorded (not in a
    log flagged for suspected violence), the holder changes, the history is kept."""
    _require(Handover.objects.awaiting(actor).filter(pk=handover.pk).exists())
    case = handover.case
    _require(case.is_open)
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        _require(handover.status == HandoverStatus.PENDING)
        consent = None
        if not case.violence_suspected or consent_kind:
            consent = consent_record(
                actor=actor,
                case=case,
                kind=consent_kind,
                given_by=given_by,
                given_on=given_on or timezone.localdate(),
                expires_on=expires_on,
                services=services,
                ip_address=ip_address,
                allow_pending_unit=handover.to_unit,
            )
        case.holder = handover.to_holder
        case.holder_unit = handover.to_unit
        case.save(update_fields=["holder", "holder_unit"])
        if not case.team.filter(user=handover.to_holder, active=True).exists():
            TeamMember.objects.create(
                case=case, user=handover.to_holder, unit=handover.to_unit, access=TeamAccess.WRITE
            )
        handover.status = HandoverStatus.ACCEPTED
        handover.decided_at = timezone.now()
        handover.consent = consent
        handover.save(update_fields=["status", "decided_at", "consent"])
        audit.record(
            actor=actor, action=Act.HANDOVER, obj=handover, case=case, ip_address=ip_address
        )
    return case


def handover_decline(*, actor, handover: Handover, ip_address=None) -> Handover:
    _require(Handover.objects.awaiting(actor).filter(pk=handover.pk).exists())
    with transaction.atomic():
        handover.status = HandoverStatus.DECLINED
        handover.decided_at = timezone.now()
        handover.save(update_fields=["status", "decided_at"])
        audit.record(
            actor=actor,
            action=Act.HANDOVER,
            obj=handover,
            case=handover.case,
            ip_address=ip_address,
        )
    return handover


# --- Closing, printouts, retention ---------------------------------------------------------


def case_printout_render(*, case: ConcernCase, closing: CaseDecision | None = None) -> bytes:
    from documents.pdf import render_pdf

    return render_pdf("btitracker/pdf/case.html", case_printout_context(case=case, closing=closing))


def case_close(
    *, actor, case: ConcernCase, views: OwnViewsInput | None = None, ip_address=None
) -> ConcernCase:
    """Close the log and keep its archive printout (for the pupil file), encrypted. The
    closing decision, with the child's and the family's view, is in the printout."""
    _holder(actor, case)
    closing = CaseDecision(
        case=case,
        kind=CaseDecisionKind.CLOSE,
        level_from=case.level,
        decided_by=actor,
        decided_at=timezone.now(),
        **_own_views_cleaned(views),
    )
    # Printed before anything is written: a failed printout leaves the log as it was.
    pdf = case_printout_render(case=case, closing=closing)
    with transaction.atomic():
        closing.save()
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.archive = encrypt_bytes(pdf)
        case.save(update_fields=["status", "closed_at", "archive"])
        audit.record(actor=actor, action=Act.CLOSE, obj=case, case=case, ip_address=ip_address)
    return case


def access_history_render(*, case: ConcernCase) -> bytes:
    """For the family: who accessed the child's log and when (names, roles, times)."""
    from btitracker.models import AccessEvent
    from documents.pdf import render_pdf

    events = AccessEvent.objects.filter(case_id=case.pk, outcome=audit.Outcome.OK).order_by("pk")
    return render_pdf(
        "btitracker/pdf/access_history.html",
        {"case": case, "events": events, "printed_at": timezone.now()},
    )


def retention_apply(*, today: datetime.date | None = None) -> dict[str, int]:
    """Delete logs closed more than ``BTI_RETENTION_DAYS`` ago (the archive PDF has gone
    to the pupil file), decided level-0 concerns as old, and children no longer in any
    log or concern. The statistics rows and the access log (pseudonyms only) stay.
    Safe to run twice."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - datetime.timedelta(days=settings.BTI_RETENTION_DAYS)
    counts = {"cases": 0, "concerns": 0, "children": 0}
    with transaction.atomic():
        old_cases = ConcernCase.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff)
        for case in old_cases:
            Handover.objects.filter(case=case).delete()
            case.actions.all().delete()
            case.delete()
            counts["cases"] += 1
        old_concerns = Concern.objects.exclude(decision=Decision.PENDING).filter(
            decided_at__lt=cutoff, case__isnull=True
        )
        counts["concerns"] = old_concerns.count()
        old_concerns.delete()
        orphans = Child.objects.filter(cases__isnull=True, concerns__isnull=True)
        counts["children"] = orphans.count()
        for child in orphans:
            child.guardians.all().delete()
            child.delete()
    return counts
