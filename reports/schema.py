"""The status-report snapshot's schema version, and the way from every stored version to
today's.

A published report renders for ever from the JSON stored when it was made, through
today's templates. So the snapshot says which shape it has (``schema_version``), and every
render reads it through :func:`upgrade`, which brings an older shape up to today's one
step at a time. The stored rows are never rewritten: a published report is a record, and
the upgrade is cheap.

Changing the shape — a key renamed, moved, added or dropped — means: raise
``SCHEMA_VERSION``, add the step from the previous version to ``_STEPS``, and commit a
snapshot of the new version as ``tests/reports/snapshots/v<N>.json``. The tests render
every committed version through the real templates with ``string_if_invalid`` set, and
compare a freshly built snapshot's keys with the newest fixture's, so a change without a
new version fails.

The versions:

1. The first status reports: no ``suppression`` legend (small counts were «<5», nothing
   was withheld to protect them), ``"schema": 1``.
2. The statistics layer (``plans.disclosure``): the ``suppression`` legend, cells that say
   whether they are ``small``; still ``"schema": 1``, so it is told from version 1 by the
   legend.
3. The version as ``schema_version``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 3

Snapshot = dict[str, Any]


def version_of(snapshot: Snapshot) -> int:
    """The stored snapshot's version, read as each version wrote it."""
    if "schema_version" in snapshot:
        return int(snapshot["schema_version"])
    # Versions 1 and 2 both wrote ``"schema": 1``; the disclosure layer added the legend.
    return 2 if "suppression" in snapshot else 1


def upgrade(snapshot: Snapshot) -> Snapshot:
    """The snapshot in today's shape (a copy; the stored one is left as it is). A version
    newer than this code knows is an error, never rendered half-blank."""
    version = version_of(snapshot)
    if not 1 <= version <= SCHEMA_VERSION:
        raise ValueError(f"unknown report snapshot version {version}")
    if version == SCHEMA_VERSION:
        return snapshot
    upgraded = copy.deepcopy(snapshot)
    while version < SCHEMA_VERSION:
        upgraded = _STEPS[version](upgraded)
        version += 1
        upgraded["schema_version"] = version
    return upgraded


def _v1_to_v2(snapshot: Snapshot) -> Snapshot:
    # Version 1 hid small counts as «<5» and withheld nothing to protect them: no
    # protected mark, so the legend (templates/reports/_suppression_legend.html) says
    # what that report did instead of claiming marks it did not have.
    threshold = snapshot["threshold"]
    snapshot["suppression"] = {
        "threshold": threshold,
        "small_text": f"<{threshold}",
        "protected_mark": "",
    }
    return snapshot


def _v2_to_v3(snapshot: Snapshot) -> Snapshot:
    snapshot.pop("schema", None)
    return snapshot


_STEPS: dict[int, Callable[[Snapshot], Snapshot]] = {1: _v1_to_v2, 2: _v2_to_v3}
