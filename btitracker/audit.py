"""The append-only, hash-chained access log.

Every row stores the hash of the row before it and ``sha256(previous_hash + canonical
JSON of its own fields)``. Appends are serialised — a transaction-scoped advisory lock on
PostgreSQL, SQLite's single writer elsewhere — so two requests never fork the chain.
A denied attempt is recorded in its own transaction before the request fails, so the
record survives the error page.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from btitracker.crypto import pseudonym
from btitracker.models import AccessEvent
from plans.access import access_for

GENESIS = "0" * 64
# An arbitrary, fixed key for pg_advisory_xact_lock: "BTI audit".
_LOCK_KEY = 0x0B71A0D1

HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "actor_roles",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "municipality_id",
    "child_pseudonym",
    "ip_address",
    "outcome",
)


class Outcome:
    OK = "ok"
    DENIED = "avvist"


def canonical(values: dict) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_values(event: AccessEvent) -> dict:
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["at"] = event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return values


def compute_hash(previous_hash: str, values: dict) -> str:
    return hashlib.sha256((previous_hash + canonical(values)).encode("utf-8")).hexdigest()


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind the proxy the deployment sets it from X-Forwarded-For."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _child_pseudonym(case=None, concern=None) -> str:
    child = None
    if case is not None:
        child = case.child
    elif concern is not None and concern.child_id:
        child = concern.child
    return pseudonym(child.lookup_hash) if child is not None else ""


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: int | None = None,
    case=None,
    concern=None,
    ip_address: str | None = None,
    outcome: str = Outcome.OK,
) -> AccessEvent:
    """Append one event. ``obj`` names the object (its model name and id) unless
    ``object_type``/``object_id`` are given; ``case``/``concern`` give the child."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    authenticated = actor is not None and actor.is_authenticated
    access = access_for(actor) if authenticated else None
    event = AccessEvent(
        at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_name=(actor.get_full_name() or actor.username) if authenticated else "",
        actor_roles=",".join(sorted(access.roles())) if access else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case.pk if case is not None else None,
        municipality_id=(
            case.municipality_id
            if case is not None
            else concern.municipality_id
            if concern is not None
            else (access.municipality_id if access else None)
        ),
        child_pseudonym=_child_pseudonym(case, concern),
        ip_address=ip_address,
        outcome=outcome,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AccessEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS
        event.hash = compute_hash(event.previous_hash, row_values(event))
        event.save(_append=True)
    return event


def record_denied(*, request, action: str, object_type: str, object_id: int | None) -> None:
    """A refused attempt on a BTI object. Requests do not run in a transaction
    (``ATOMIC_REQUESTS`` is off) and this is called before the view raises, so the event
    is committed and survives the 404/403 that follows."""
    record(
        actor=request.user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address=client_ip(request),
        outcome=Outcome.DENIED,
    )


@dataclass
class Break:
    event_id: int
    reason: str


def verify_chain(chunk: int = 2000) -> tuple[int, Break | None]:
    """Recompute every hash in order. Returns how many rows were checked and the first
    broken row, if any."""
    previous = GENESIS
    checked = 0
    for event in _iterate(chunk):
        if event.previous_hash != previous:
            return checked, Break(event.pk, "previous_hash peker ikke på raden før")
        if compute_hash(event.previous_hash, row_values(event)) != event.hash:
            return checked, Break(event.pk, "innholdet stemmer ikke med hashen")
        previous = event.hash
        checked += 1
    return checked, None


def _iterate(chunk: int) -> Iterator[AccessEvent]:
    last = 0
    while True:
        rows = list(AccessEvent.objects.filter(pk__gt=last).order_by("pk")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk
