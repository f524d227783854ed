"""Every change to consultation meetings (samarbeidsmøter). Keyword-only and atomic; each
checks the actor's right again through the querysets (the views check it first) and the
anonymity of every text (``btitracker.anonymity``, the form's rule too)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from btitracker.anonymity import anonymity_problem
from btitracker.consultation_calendar import meeting_dates_build
from btitracker.meeting_rules import meeting_actions_errors
from btitracker.models import (
    ConsultationAction,
    ConsultationActionStatus,
    ConsultationAttendance,
    ConsultationMatter,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    MatterOutcome,
    Service,
)
from btitracker.selectors.consultations import (
    consultation_services,
    consultation_units,
    responsible_candidates,
)
from plans.models import Unit
from plans.schoolyear import SchoolYear
from plans.text import clean_free_text, normalise_name, require_lengths, validate_name


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _anonymous_text(value: str, *, label: str, model, field: str) -> str:
    """A protocol text as stored: no steering characters, within the field's length, and
    anonymous (raises ValidationError naming the field)."""
    text = clean_free_text(value, label=label)
    require_lengths(model, **{field: text})
    problem = anonymity_problem(text)
    if problem:
        raise ValidationError({field: problem})
    return text


# --- The schedule ------------------------------------------------------------------------


def consultation_schedules_create(
    *,
    actor,
    units: Iterable[Unit],
    school_year: SchoolYear,
    weekday: int,
    week_of_month: int,
    services: Iterable[Service],
) -> list[ConsultationSchedule]:
    """One schedule per unit for ``school_year``, with its meetings (the dates
    ``meeting_dates_build`` gives: what the preview showed) and the attending services.
    All units or none: a unit that already has a schedule this year refuses the lot."""
    _require(actor.has_perm("btitracker.add_consultationschedule"))
    units, services = list(units), list(services)
    allowed_units = set(consultation_units(actor).values_list("pk", flat=True))
    allowed_services = set(consultation_services(actor).values_list("pk", flat=True))
    errors: dict[str, str] = {}
    if not units:
        errors["units"] = _("Velg minst én barnehage eller skole.")
    elif any(unit.pk not in allowed_units for unit in units):
        errors["units"] = _("Velg barnehager og skoler i din kommune.")
    if not services:
        errors["services"] = _("Velg minst én tjeneste som deltar.")
    elif any(service.pk not in allowed_services for service in services):
        errors["services"] = _("Velg tjenester i din kommune som deltar i samarbeidsmøter.")
    current = SchoolYear.current()
    if school_year not in (current, current.next()):
        errors["school_year"] = _("Velg dette eller neste skoleår.")
    if errors:
        raise ValidationError(errors)
    taken = list(
        ConsultationSchedule.objects.filter(
            unit__in=units, school_year=school_year.start_year
        ).values_list("unit__name", flat=True)
    )
    if taken:
        raise ValidationError(
            {
                "units": _("Disse enhetene har allerede en møteplan for %(year)s: %(names)s.")
                % {"year": school_year.label, "names": ", ".join(sorted(taken))}
            }
        )
    dates = meeting_dates_build(year=school_year, weekday=weekday, week_of_month=week_of_month)
    created = []
    with transaction.atomic():
        for unit in units:
            schedule = ConsultationSchedule.objects.create(
                municipality_id=unit.municipality_id,
                unit=unit,
                school_year=school_year.start_year,
                created_by=actor,
            )
            schedule.services.set(services)
            ConsultationMeeting.objects.bulk_create(
                ConsultationMeeting(schedule=schedule, planned_on=day) for day in dates.planned
            )
            created.append(schedule)
    return created


def _movable(actor, meeting: ConsultationMeeting) -> None:
    _require(ConsultationMeeting.objects.movable_by(actor).filter(pk=meeting.pk).exists())


def consultation_meeting_change(
    *, actor, meeting: ConsultationMeeting, planned_on: datetime.date
) -> ConsultationMeeting:
    """Move one planned meeting to another day of the same school year."""
    _movable(actor, meeting)
    year = SchoolYear(meeting.schedule.school_year)
    if not year.contains(planned_on):
        raise ValidationError(
            {"planned_on": _("Velg en dato i skoleåret %(year)s.") % {"year": year}}
        )
    if planned_on.weekday() > 4:
        raise ValidationError({"planned_on": _("Velg en hverdag.")})
    clash = (
        ConsultationMeeting.objects.filter(schedule=meeting.schedule, planned_on=planned_on)
        .exclude(pk=meeting.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"planned_on": _("Det er allerede et møte denne dagen.")})
    with transaction.atomic():
        if meeting.moved_from is None:
            meeting.moved_from = meeting.planned_on
        meeting.planned_on = planned_on
        meeting.save(update_fields=["planned_on", "moved_from"])
    return meeting


def consultation_meeting_cancel(
    *, actor, meeting: ConsultationMeeting, reason: str
) -> ConsultationMeeting:
    """Cancel one planned meeting, saying why (anonymously: the reason is read as widely
    as the protocol)."""
    _movable(actor, meeting)
    text = _anonymous_text(
        reason, label=_("Grunn til avlysning"), model=ConsultationMeeting, field="cancelled_reason"
    )
    if not text:
        raise ValidationError({"cancelled_reason": _("Skriv hvorfor møtet avlyses.")})
    with transaction.atomic():
        meeting.status = ConsultationStatus.CANCELLED
        meeting.cancelled_reason = text
        meeting.save(update_fields=["status", "cancelled_reason"])
    return meeting


# --- The protocol ------------------------------------------------------------------------


@dataclass
class AttendanceInput:
    name: str
    service: Service | None  # None: from the unit itself


@dataclass
class MatterInput:
    summary: str
    outcome: str = MatterOutcome.DISCUSSED


@dataclass
class ConsultationActionInput:
    description: str
    responsible: User | None
    follow_up_on: datetime.date | None
    matter_number: int | None = None  # the matter's number in this protocol, if any

    @property
    def filled(self) -> bool:
        return bool(self.description.strip() or self.responsible or self.follow_up_on)


def _action_errors(
    data: ConsultationActionInput, *, held_on: datetime.date, candidates: set, matters: int
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.description.strip():
        errors["description"] = _("Beskriv tiltaket.")
    else:
        try:
            _anonymous_text(
                data.description, label=_("Tiltak"), model=ConsultationAction, field="description"
            )
        except ValidationError as error:
            errors["description"] = " ".join(error.messages)
    if data.responsible is None:
        errors["responsible"] = _("Velg en ansvarlig person.")
    elif data.responsible.pk not in candidates:
        errors["responsible"] = _(
            "Den ansvarlige må arbeide i enheten, i en av tjenestene som deltar, eller være "
            "BTI-koordinator."
        )
    if data.follow_up_on is None:
        errors["follow_up_on"] = _("Oppgi en dato for oppfølging.")
    elif data.follow_up_on < held_on:
        errors["follow_up_on"] = _("Oppfølgingsdatoen kan ikke komme før møtet.")
    if data.matter_number is not None and not 1 <= data.matter_number <= matters:
        errors["matter_number"] = _("Tiltaket viser til en sak som ikke finnes i protokollen.")
    return errors


def consultation_protocol_record(
    *,
    actor,
    meeting: ConsultationMeeting,
    held_on: datetime.date,
    attendance: Sequence[AttendanceInput],
    matters: Sequence[MatterInput],
    actions: Sequence[ConsultationActionInput],
) -> ConsultationMeeting:
    """The protocol of a held meeting, in one transaction, and only when it ends with at
    least one action with a responsible person and a follow-up date (the rule of every
    BTI meeting, ``btitracker.meeting_rules``). Matters and actions must be anonymous."""
    _require(ConsultationMeeting.objects.writable_by(actor).filter(pk=meeting.pk).exists())
    errors: dict[str, list[str]] = {}
    if meeting.status != ConsultationStatus.PLANNED:
        raise ValidationError(
            _("Protokollen for dette møtet er allerede ført, eller møtet er avlyst.")
        )
    if held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("Møtedatoen kan ikke være fram i tid."))
    if not SchoolYear(meeting.schedule.school_year).contains(held_on):
        errors.setdefault("held_on", []).append(_("Møtedatoen må være i møteplanens skoleår."))
    allowed_services = set(meeting.schedule.services.values_list("pk", flat=True))
    people = [row for row in attendance if row.name.strip()]
    if not people:
        errors.setdefault("__all__", []).append(_("Skriv hvem som deltok."))
    for row in people:
        try:
            validate_name(row.name)
        except ValidationError as error:
            errors.setdefault("__all__", []).extend(error.messages)
        if row.service is not None and row.service.pk not in allowed_services:
            errors.setdefault("__all__", []).append(
                _("Velg en av tjenestene som deltar i møteplanen.")
            )
    cleaned_matters: list[tuple[str, str]] = []
    for number, matter in enumerate([m for m in matters if m.summary.strip()], start=1):
        try:
            summary = _anonymous_text(
                matter.summary, label=_("Sak"), model=ConsultationMatter, field="summary"
            )
        except ValidationError as error:
            errors.setdefault("__all__", []).extend(
                _("Sak %(n)s: %(message)s") % {"n": number, "message": message}
                for message in error.messages
            )
            continue
        if matter.outcome not in MatterOutcome.values:
            errors.setdefault("__all__", []).append(_("Sak %(n)s: velg utfall.") % {"n": number})
        cleaned_matters.append((summary, matter.outcome))
    filled = [a for a in actions if a.filled]
    candidates = set(responsible_candidates(meeting).values_list("pk", flat=True))
    action_errors = meeting_actions_errors(
        filled,
        lambda data: _action_errors(
            data, held_on=held_on, candidates=candidates, matters=len(cleaned_matters)
        ),
    )
    if action_errors:
        errors.setdefault("__all__", []).extend(action_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ConsultationAttendance.objects.bulk_create(
            ConsultationAttendance(
                meeting=meeting, service=row.service, name=normalise_name(row.name)
            )
            for row in people
        )
        saved = [
            ConsultationMatter.objects.create(
                meeting=meeting, number=number, summary=summary, outcome=outcome
            )
            for number, (summary, outcome) in enumerate(cleaned_matters, start=1)
        ]
        for data in filled:
            # Both checked above (_action_errors).
            assert data.follow_up_on is not None
            assert data.responsible is not None
            ConsultationAction.objects.create(
                meeting=meeting,
                matter=saved[data.matter_number - 1] if data.matter_number else None,
                description=clean_free_text(data.description, label=_("Tiltak")),
                responsible=data.responsible,
                follow_up_on=data.follow_up_on,
            )
        meeting.status = ConsultationStatus.HELD
        meeting.held_on = held_on
        meeting.protocol_by = actor
        meeting.protocol_at = timezone.now()
        meeting.save(update_fields=["status", "held_on", "protocol_by", "protocol_at"])
    return meeting


def consultation_action_complete(
    *, actor, action: ConsultationAction, status: str, note: str
) -> ConsultationAction:
    """The responsible person marks an action followed up or stopped, with a short note."""
    _require(ConsultationAction.objects.followable_by(actor).filter(pk=action.pk).exists())
    if status not in (ConsultationActionStatus.DONE, ConsultationActionStatus.STOPPED):
        raise ValidationError({"status": _("Velg fulgt opp eller avbrutt.")})
    text = _anonymous_text(
        note, label=_("Oppfølging"), model=ConsultationAction, field="follow_up_note"
    )
    if not text:
        raise ValidationError({"follow_up_note": _("Skriv kort hva som ble gjort.")})
    with transaction.atomic():
        action.status = status
        action.follow_up_note = text
        action.followed_up_at = timezone.now()
        action.save(update_fields=["status", "follow_up_note", "followed_up_at"])
    return action
