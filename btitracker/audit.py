"""The append-only, keyed, hash-chained and checkpointed access log.

Every row stores the hash of the row before it and ``HMAC-SHA256(BTI_AUDIT_KEY,
previous_hash + canonical JSON of its own fields)``. The key is not one of the data keys
and not in the database, so someone who can write the table cannot recompute the chain
after changing a row. Rows written before the key came in (plain SHA-256) stay as they
were: migration 0004 verified them and appended a ``chain_keyed`` row, and from that row
on every hash is keyed (``verify_chain``).

Appends are serialised — a transaction-scoped advisory lock on PostgreSQL, SQLite's single
writer elsewhere — so two requests never fork the chain. A denied attempt is recorded in
its own transaction before the request fails, so the record survives the error page.

A chain alone cannot show that its last rows were deleted. ``checkpoint_write`` (nightly)
appends the row count and the head hash to ``BTI_AUDIT_CHECKPOINT_FILE``, outside the
database, and ``verify_chain`` checks the table against every checkpoint there.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from btitracker.crypto import pseudonym
from btitracker.models import AccessEvent
from plans.access import access_for

GENESIS = "0" * 64
# The row that marks where the keyed chain begins (written once, by migration 0004).
KEYED_MARKER = "chain_keyed"
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


def audit_key() -> bytes:
    """``BTI_AUDIT_KEY``, or in development a key derived from SECRET_KEY (the deploy
    check btitracker.E004 refuses that in production)."""
    if settings.BTI_AUDIT_KEY:
        return settings.BTI_AUDIT_KEY.encode("utf-8")
    return hashlib.sha256(f"bti:audit:{settings.SECRET_KEY}".encode()).digest()


def compute_hash(previous_hash: str, values: dict) -> str:
    message = (previous_hash + canonical(values)).encode("utf-8")
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def legacy_hash(previous_hash: str, values: dict) -> str:
    """The unkeyed hash of the rows written before the chain was keyed."""
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


def _target(object_type: str, object_id: int | None) -> dict:
    """The log (or the level-0 concern) a refused attempt was aimed at, when it exists,
    so the event lands in that log's access history for its leader to see."""
    from btitracker.models import Concern, ConcernCase, Handover

    if object_id is None:
        return {}
    if object_type == "concerncase":
        case = ConcernCase.objects.filter(pk=object_id).select_related("child").first()
        return {"case": case} if case else {}
    if object_type == "concern":
        concern = Concern.objects.filter(pk=object_id).select_related("child").first()
        if concern is None:
            return {}
        case = ConcernCase.objects.filter(source_concern=concern).select_related("child").first()
        return {"case": case} if case else {"concern": concern}
    if object_type == "handover":
        handover = Handover.objects.filter(pk=object_id).select_related("case__child").first()
        return {"case": handover.case} if handover else {}
    return {}


def record_denied(*, request, action: str, object_type: str, object_id: int | None) -> None:
    """A refused attempt on a BTI object, tied to the log it was aimed at when that
    exists. Requests do not run in a transaction (``ATOMIC_REQUESTS`` is off) and this is
    called before the view raises, so the event is committed and survives the 404/403
    that follows. An id no row can have (beyond bigint) is recorded without the id."""
    from plans.converters import ID_MAX

    if object_id is not None and not 0 <= object_id <= ID_MAX:
        object_id = None
    record(
        actor=request.user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address=client_ip(request),
        outcome=Outcome.DENIED,
        **_target(object_type, object_id),
    )


@dataclass
class Break:
    event_id: int
    reason: str


def verify_chain(chunk: int = 2000) -> tuple[int, Break | None]:
    """Recompute every hash in order and compare the table with every checkpoint.
    Returns how many rows were checked and the first break, if any.

    Rows before the ``chain_keyed`` marker are plain SHA-256 (written before the key);
    the marker and every row after it must carry the keyed hash. Without a marker every
    row must be keyed, so deleting the marker and recomputing with SHA-256 fails."""
    has_marker = AccessEvent.objects.filter(action=KEYED_MARKER).exists()
    keyed = not has_marker
    checkpoints = {point.last_id: point for point in checkpoints_read()}
    previous = GENESIS
    checked = 0
    for event in _iterate(chunk):
        if event.action == KEYED_MARKER:
            if keyed:
                return checked, Break(event.pk, "en ekstra markering av nøkkelbytte")
            keyed = True
        if event.previous_hash != previous:
            return checked, Break(event.pk, "previous_hash peker ikke på raden før")
        expected = (compute_hash if keyed else legacy_hash)(event.previous_hash, row_values(event))
        if not hmac.compare_digest(expected, event.hash):
            return checked, Break(event.pk, "innholdet stemmer ikke med hashen")
        previous = event.hash
        checked += 1
        point = checkpoints.pop(event.pk, None)
        if point is not None and (point.count != checked or point.head != event.hash):
            return checked, Break(
                event.pk, f"stemmer ikke med kontrollpunktet fra {point.at} (rader eller hash)"
            )
    if checkpoints:
        point = min(checkpoints.values(), key=lambda p: p.last_id)
        return checked, Break(
            point.last_id,
            f"raden kontrollpunktet fra {point.at} endte på finnes ikke lenger "
            f"(det telte {point.count} rader, tabellen har {checked}): rader er slettet",
        )
    return checked, None


# --- Checkpoints outside the database ------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    at: str
    count: int
    last_id: int
    head: str


def checkpoint_path() -> Path:
    configured = settings.BTI_AUDIT_CHECKPOINT_FILE
    return Path(configured) if configured else settings.BASE_DIR / "var" / "bti-audit-checkpoints"


def _checkpoint_mac(values: dict) -> str:
    return hmac.new(audit_key(), f"checkpoint|{canonical(values)}".encode(), "sha256").hexdigest()


def checkpoint_write() -> Checkpoint | None:
    """Append the access log's row count and head hash to the checkpoint file (nightly,
    ``btitracker.audit_checkpoint``). Each line carries an HMAC, so a line cannot be
    forged without the audit key. Opened for appending only: the file may be append-only
    (``chattr +a``) or on a volume the database user cannot reach. Nothing to write for
    an empty log."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        head = AccessEvent.objects.order_by("-pk").values("pk", "hash").first()
        count = AccessEvent.objects.count()
    if head is None:
        return None
    point = Checkpoint(
        at=timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        count=count,
        last_id=head["pk"],
        head=head["hash"],
    )
    values = {"at": point.at, "count": point.count, "last_id": point.last_id, "head": point.head}
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(canonical({**values, "mac": _checkpoint_mac(values)}) + "\n")
    return point


class CheckpointError(Exception):
    """The checkpoint file has a line that is not a checkpoint this portal wrote."""


def checkpoints_read() -> list[Checkpoint]:
    path = checkpoint_path()
    if not path.exists():
        return []
    points = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            values = {key: data[key] for key in ("at", "count", "last_id", "head")}
            valid = hmac.compare_digest(_checkpoint_mac(values), str(data["mac"]))
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointError(f"Linje {number} i {path} kan ikke leses ({error}).") from None
        if not valid:
            raise CheckpointError(f"Linje {number} i {path} har feil kontrollsum (forfalsket?).")
        points.append(Checkpoint(**values))
    return points


def _iterate(chunk: int) -> Iterator[AccessEvent]:
    last = 0
    while True:
        rows = list(AccessEvent.objects.filter(pk__gt=last).order_by("pk")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk
