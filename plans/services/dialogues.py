"""Leader dialogues: create one with its generated agenda, refresh the agenda until it is
held, write the notes, mark it held or closed, agree points and mark them done or dropped.

Every function checks the actor's rule itself (a view's check is not the only one) and
refuses forged references: a unit of another municipality, counterparts who are not the
unit's leaders (a unit dialogue) or staff (a team dialogue), an owner who is neither a
member of the unit nor a sector leader. Each change writes a ``DialogueChange`` in the
same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    AgreedPoint,
    Dialogue,
    DialogueChange,
    DialogueKind,
    DialogueStatus,
    PointStatus,
    Unit,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dialogues import (
    dialogue_agenda_build,
    dialogue_counterpart_candidates,
    dialogue_point_owner_candidates,
)
from plans.services.common import model_update
from plans.services.history import (
    field_changes_diff,
    field_label_get,
    fields_snapshot,
    version_claim,
)
from plans.text import clean_free_text
from plans.text_limits import check_text_lengths


def _record(dialogue: Dialogue, actor, action: str, subject: str, fields=None) -> None:
    DialogueChange.objects.create(
        dialogue=dialogue,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject=subject[:300],
        fields=fields or [],
    )


def _require(actor, permission: str, obj) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied


def _clean(model, name: str, value: str) -> str:
    """A free text as stored: steering characters refused, normalised, length checked
    (before normalising too, so a megabyte is refused without being worked through)."""
    check_text_lengths(model, **{name: value})
    try:
        text = clean_free_text(value, label=field_label_get(model=model, name=name))
    except ValidationError as error:
        raise ValidationError({name: error.messages}) from error
    check_text_lengths(model, **{name: text})
    return text


def _locked(dialogue: Dialogue) -> Dialogue:
    return Dialogue.objects.select_for_update().select_related("unit").get(pk=dialogue.pk)


@transaction.atomic
def dialogue_create(
    *,
    actor,
    unit: Unit,
    kind: str,
    school_year: int,
    held_on: datetime.date,
    counterparts: Iterable,
) -> Dialogue:
    """A dialogue of ``kind`` with ``unit`` for the school year, held by ``actor``, with
    its agenda generated now. A unit dialogue is the sector leader's with the unit's
    leaders; a team dialogue a unit leader's with staff of the unit they lead."""
    _require(actor, "plans.add_dialogue", unit)
    if kind == DialogueKind.UNIT:
        _require(actor, "plans.add_unit_dialogue", unit)
    elif kind == DialogueKind.TEAM:
        _require(actor, "plans.add_team_dialogue", unit)
    else:
        raise ValidationError({"kind": _("Velg hva slags samtale det er.")})
    people = list(counterparts)
    errors: dict[str, str] = {}
    if not people:
        errors["counterparts"] = _("Velg hvem samtalen er med.")
    allowed = set(
        dialogue_counterpart_candidates(unit=unit, kind=kind).values_list("pk", flat=True)
    )
    if any(person.pk not in allowed or person.pk == actor.pk for person in people):
        errors["counterparts"] = (
            _("Samtalepartnerne må være ledere ved enheten.")
            if kind == DialogueKind.UNIT
            else _("Samtalepartnerne må være ansatte ved enheten.")
        )
    if errors:
        raise ValidationError(errors)
    dialogue = Dialogue(
        municipality_id=unit.municipality_id,
        unit=unit,
        kind=kind,
        school_year=school_year,
        held_on=held_on,
        leader=actor,
        agenda=dialogue_agenda_build(unit=unit, school_year=school_year, user=actor),
        agenda_generated_at=timezone.now(),
    )
    dialogue.full_clean(exclude=["counterparts"])
    dialogue.save()
    dialogue.counterparts.set(people)
    _record(
        dialogue,
        actor,
        "create",
        _("%(kind)s med %(unit)s %(year)s")
        % {
            "kind": dialogue.get_kind_display(),
            "unit": unit.name,
            "year": SchoolYear(school_year).label,
        },
    )
    return dialogue


@transaction.atomic
def dialogue_agenda_update(*, actor, dialogue: Dialogue) -> Dialogue:
    """Generate the agenda again from today's data; only until the dialogue is held, so a
    held dialogue keeps the agenda it was held on."""
    dialogue = _locked(dialogue)
    _require(actor, "plans.change_dialogue", dialogue)
    if not dialogue.agenda_open:
        raise ValidationError(_("Dagsordenen kan bare lages på nytt før samtalen er holdt."))
    model_update(
        instance=dialogue,
        fields=["agenda", "agenda_generated_at"],
        data={
            "agenda": dialogue_agenda_build(
                unit=dialogue.unit, school_year=dialogue.school_year, user=actor
            ),
            "agenda_generated_at": timezone.now(),
        },
        clean=False,
    )
    version_claim(instance=dialogue, expected_version=None)
    _record(dialogue, actor, "agenda", _("Dagsorden laget på nytt"))
    return dialogue


@transaction.atomic
def dialogue_update(
    *,
    actor,
    dialogue: Dialogue,
    held_on: datetime.date,
    notes: str,
    expected_version: int | None = None,
) -> Dialogue:
    """Change the date and the notes, under the optimistic lock (``expected_version``)."""
    dialogue = _locked(dialogue)
    _require(actor, "plans.change_dialogue", dialogue)
    notes = _clean(Dialogue, "notes", notes)
    fields = ("held_on", "notes")
    before = fields_snapshot(instance=dialogue, fields=fields)
    version_claim(
        instance=dialogue,
        expected_version=expected_version,
        attempted={"held_on": held_on, "notes": notes},
    )
    _dialogue, changed = model_update(
        instance=dialogue, fields=fields, data={"held_on": held_on, "notes": notes}
    )
    if changed:
        after = fields_snapshot(instance=dialogue, fields=fields)
        _record(
            dialogue,
            actor,
            "update",
            _("Samtalen"),
            field_changes_diff(model=Dialogue, before=before, after=after),
        )
    return dialogue


def _status_set(actor, dialogue: Dialogue, status: str, allowed_from: set[str]) -> Dialogue:
    dialogue = _locked(dialogue)
    _require(actor, "plans.change_dialogue", dialogue)
    if dialogue.status not in allowed_from:
        raise ValidationError(
            _("Samtalen er «%(status)s».") % {"status": dialogue.get_status_display()}
        )
    before = dialogue.get_status_display()
    model_update(instance=dialogue, fields=["status"], data={"status": status})
    version_claim(instance=dialogue, expected_version=None)
    _record(
        dialogue,
        actor,
        status,
        _("Samtalen"),
        [
            {
                "field": field_label_get(model=Dialogue, name="status"),
                "old": str(before),
                "new": str(dialogue.get_status_display()),
            }
        ],
    )
    return dialogue


@transaction.atomic
def dialogue_complete(*, actor, dialogue: Dialogue) -> Dialogue:
    """Mark the dialogue held: the agenda is frozen as it was discussed."""
    return _status_set(actor, dialogue, DialogueStatus.HELD, {DialogueStatus.PLANNED})


@transaction.atomic
def dialogue_close(*, actor, dialogue: Dialogue) -> Dialogue:
    """Close a held dialogue: its record can no longer be changed; open points are still
    followed up by their owners."""
    return _status_set(actor, dialogue, DialogueStatus.CLOSED, {DialogueStatus.HELD})


@transaction.atomic
def agreed_point_add(
    *, actor, dialogue: Dialogue, text: str, owner, due_on: datetime.date
) -> AgreedPoint:
    """Agree a point with an owner (a member of the unit or a sector leader) and a due
    date."""
    dialogue = _locked(dialogue)
    _require(actor, "plans.change_dialogue", dialogue)
    text = _clean(AgreedPoint, "text", text)
    if owner is None or not (
        dialogue_point_owner_candidates(unit=dialogue.unit).filter(pk=owner.pk).exists()
    ):
        raise ValidationError(
            {"owner": _("Den ansvarlige må høre til enheten eller være sektorleder.")}
        )
    point = AgreedPoint(dialogue=dialogue, text=text, owner=owner, due_on=due_on)
    point.full_clean()
    point.save()
    _record(dialogue, actor, "point", _("Avtalt punkt «%(text)s»") % {"text": text[:120]})
    return point


@transaction.atomic
def agreed_point_update(*, actor, point: AgreedPoint, status: str, note: str) -> AgreedPoint:
    """The owner (or whoever conducts the dialogue) marks an open point done or dropped,
    with a note; dropping needs one, so the record says why."""
    point = AgreedPoint.objects.select_for_update().select_related("dialogue").get(pk=point.pk)
    _require(actor, "plans.change_agreedpoint", point)
    if status not in (PointStatus.DONE, PointStatus.DROPPED):
        raise ValidationError({"status": _("Velg utført eller droppet.")})
    note = _clean(AgreedPoint, "done_note", note)
    if status == PointStatus.DROPPED and not note:
        raise ValidationError({"done_note": _("Skriv hvorfor punktet droppes.")})
    model_update(
        instance=point,
        fields=["status", "done_note", "done_at"],
        data={"status": status, "done_note": note, "done_at": timezone.now()},
    )
    _record(
        point.dialogue,
        actor,
        "point_status",
        _("Avtalt punkt «%(text)s»") % {"text": point.text[:120]},
        [
            {
                "field": field_label_get(model=AgreedPoint, name="status"),
                "old": str(PointStatus.OPEN.label),
                "new": str(point.get_status_display()),
            }
        ],
    )
    return point
