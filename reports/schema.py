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
4. Targets name their year as the figures name their periods (``year_label``: «2025/26»
   for a school-year indicator, «2025» for a calendar-year one), and periods are labelled
   «2020/21» (``plans.schoolyear.SchoolYear``). Older reports printed the bare year
   («Målverdi for 2025»), so that is what their upgrade gives; their stored period labels
   («2020-21») stay as published.
5. The law's three topics (opplæringslova § 17-12): ``law_topics``, a chapter per topic
   with its indicators; and the user journeys of each area (``areas[].journeys``). Older
   reports had neither: their upgrade gives no topic chapters and no journeys, so they
   read as they did.
   The council's treatment: ``case_number`` (this year's, "" when none),
   ``previous_follow_up`` (last year's follow-up items and what became of them) and
   ``previous_questions`` (last year's questions and answers, the appendix); older
   reports get them empty. And the administration's assessment under KS's five
   questions: ``assessment`` at the top (the whole report's text and when any text last
   changed) and in every area. Older reports had none, so their upgrade gives none and
   the chapters are left out. And the title page's logo (``branding``: ``logo`` as a
   data URI, ``logo_alt``); older reports had none.
6. Issue 20's steering and follow-up. Owners and the units' own goals: every area names
   who follows it up (``areas[].owner``: name and role, or None) and the units' goals
   outside the shared areas are counted and listed apart (``own_goals``). Older reports
   named no owner and left own goals out, so their upgrade gives None and none.
   Targets that mean something (``_v6_targets``): each target printed carries
   its ``kind`` (a sentence: «Fast verdi», «3,0 poeng bedre enn kommunens tall for
   2023/24» …), whether it is a ``milestone``, whether the council ``adopted`` it and the
   ``adoption`` text, and ``unresolved`` («kan ikke beregnes: …») when its value cannot be
   computed (then ``value`` is empty and the attainment is ``unresolvable``); attainment
   says ``adopted``, and the summary and every area count goal attainment apart for the
   council's and the administration's targets (``by_adoption``). Older reports had only
   absolute targets with no adoption recorded: their upgrade treats every target as an
   administrative fixed value (``adopted`` false) but prints no adoption text and no split
   (``kind``/``adoption`` empty, ``by_adoption`` None), since the report said none.
   The trace of each area (``areas[].trace``, ``plans.selectors.trace``): what children,
   youth and parents said → the marks of good practice citing it → the measures citing
   it → the indicators → the evaluation. Older reports had none: their upgrade gives
   ``None`` and the template prints no trace (not an empty one that would claim the
   report looked).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 6

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


def _v3_to_v4(snapshot: Snapshot) -> Snapshot:
    # Version 3 printed a target's bare year; keep what the report said on its day.
    for area in snapshot.get("areas", []):
        for item in area.get("indicators", []):
            if item.get("target"):
                item["target"]["year_label"] = str(item["target"]["year"])
            for target in item.get("later_targets", []):
                target["year_label"] = str(target["year"])
        for target in area.get("next", {}).get("targets", []):
            target["year_label"] = str(target["year"])
    return snapshot


def _v5_law_topics(snapshot: Snapshot) -> Snapshot:
    # The report had no topic chapters; an empty list prints none (not three «no
    # indicator» chapters that would claim the report looked for them).
    snapshot.setdefault("law_topics", [])
    return snapshot


def _v5_journeys(snapshot: Snapshot) -> Snapshot:
    for area in snapshot.get("areas", []):
        area.setdefault("journeys", [])
    return snapshot


def _v5_council(snapshot: Snapshot) -> Snapshot:
    # No treatment was recorded in the portal before version 5: the report said nothing
    # of it, and its upgrade says nothing either (the templates print nothing when empty).
    snapshot["case_number"] = ""
    snapshot["previous_follow_up"] = {"year_label": "", "treatment": None, "items": []}
    snapshot["previous_questions"] = {"year_label": "", "items": []}
    return snapshot


def _v5_assessments(snapshot: Snapshot) -> Snapshot:
    # No administration's text was written before version 5.
    snapshot["assessment"] = {"whole": None, "text_changed_at": None}
    for area in snapshot.get("areas", []):
        area["assessment"] = None
    return snapshot


def _v5_branding(snapshot: Snapshot) -> Snapshot:
    # Reports before the title page had a logo: none, as they were printed.
    snapshot.setdefault("branding", {"logo": "", "logo_alt": ""})
    return snapshot


def _v4_to_v5(snapshot: Snapshot) -> Snapshot:
    # Each part of issue 18 fills its own new keys in a function of its own.
    return _v5_branding(_v5_assessments(_v5_council(_v5_journeys(_v5_law_topics(snapshot)))))


def _v6_owners(snapshot: Snapshot) -> Snapshot:
    # Before issue 20 no area had an owner and unit goals all had an area: the report
    # named nobody and had no own goals to show.
    for area in snapshot.get("areas", []):
        area.setdefault("owner", None)
    snapshot.setdefault("own_goals", {"total": 0, "attainment": [], "items": []})
    return snapshot


def _v6_targets(snapshot: Snapshot) -> Snapshot:
    # Before version 6 a target was one absolute value with no adoption recorded: counted
    # as the administration's, printed as it was (no kind, no adoption text, no split).
    def upgrade_target(target: dict) -> None:
        target.setdefault("unresolved", "")
        target.setdefault("kind", "")
        target.setdefault("milestone", False)
        target.setdefault("adopted", False)
        target.setdefault("adoption", "")

    def upgrade_item(item: dict) -> None:
        if item.get("target"):
            upgrade_target(item["target"])
        for target in item.get("later_targets", []):
            upgrade_target(target)
        if "attainment" in item:
            item["attainment"].setdefault("adopted", False)

    for area in snapshot.get("areas", []):
        for item in area.get("indicators", []):
            upgrade_item(item)
        for target in area.get("next", {}).get("targets", []):
            upgrade_target(target)
        area.setdefault("attainment", {}).setdefault("by_adoption", None)
    for topic in snapshot.get("law_topics", []):
        for item in topic.get("indicators", []):
            upgrade_item(item)
    snapshot.setdefault("summary", {}).setdefault("by_adoption", None)
    return snapshot


def _v6_trace(snapshot: Snapshot) -> Snapshot:
    # No link from a voice to a measure was recorded before version 6.
    for area in snapshot.get("areas", []):
        area.setdefault("trace", None)
    return snapshot


def _v5_to_v6(snapshot: Snapshot) -> Snapshot:
    # Each part of issue 20 fills its own new keys in a function of its own.
    return _v6_trace(_v6_targets(_v6_owners(snapshot)))


_STEPS: dict[int, Callable[[Snapshot], Snapshot]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
}
