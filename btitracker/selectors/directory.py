"""Reading the directory of services: the list, the search by need and the list of needs.

Every read starts from a scope the caller passes — ``Service.objects.visible_to(user)``
for a member, ``Service.objects.published(municipality_id)`` without login — and the
needs and their counts are worked out from the entries in that scope only, so a page
without login cannot learn of an entry, or a need, that is not public.

The search runs over the scope's entries in Python, not in SQL: a municipality has tens
of services, not thousands, and SQLite's ``LIKE``/``lower()`` fold only ASCII, so «SPRÅK»
would find «språk» on PostgreSQL and not on SQLite. ``search_fold`` is the one place that
decides what matches, and the page costs the same two queries whatever is searched.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from btitracker.models import Service, ServiceNeed
from plans.models import Municipality
from plans.text import normalise_name

# Letters NFKD does not take apart: folded as they are written without a Norwegian
# keyboard, so «vold i naere relasjoner» finds «vold i nære relasjoner».
_SPELLED_OUT = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ŋ": "n"})
# Norwegian alphabetical order: æ, ø, å after z.
_NORWEGIAN_ORDER = str.maketrans({"æ": "{0", "ø": "{1", "å": "{2"})
QUERY_MAX = 100


def search_fold(value: str) -> str:
    """The form text and queries are compared in: invisible characters dropped, case and
    accents folded (é → e, å → a, ø → o, æ → ae), anything but letters and digits a space,
    spaces collapsed."""
    text = unicodedata.normalize("NFKD", normalise_name(value).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_SPELLED_OUT)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def sort_key(name: str) -> str:
    return normalise_name(name).casefold().translate(_NORWEGIAN_ORDER)


@dataclass(frozen=True)
class NeedLink:
    need: ServiceNeed
    count: int


@dataclass
class DirectoryPage:
    services: list[Service]
    needs: list[NeedLink]
    query: str = ""
    need: ServiceNeed | None = None
    # Whether a filter is in force (the page then says how many it found).
    filtered: bool = False
    total: int = 0


def directory_entries(scope: QuerySet[Service]) -> list[Service]:
    """The scope's entries with their unit and needs, in Norwegian alphabetical order
    (two queries, however many entries and needs)."""
    entries = list(
        scope.select_related("unit").prefetch_related(
            Prefetch("needs", queryset=ServiceNeed.objects.order_by("name"))
        )
    )
    return sorted(entries, key=lambda entry: (sort_key(entry.name), entry.pk))


def _haystack(entry: Service) -> str:
    parts = [entry.name, entry.for_whom, entry.helps_with]
    parts += [need.name for need in entry.needs.all()]
    if entry.unit is not None:
        parts.append(entry.unit.get_kind_display())
    return search_fold(" ".join(parts))


def directory_search(entries: list[Service], *, query: str) -> list[Service]:
    """The entries that contain every word of ``query`` (in their name, needs, texts or
    the kind of unit), those with a matching need first, then a matching name, then the
    rest, each in alphabetical order. An empty query keeps them all."""
    terms = search_fold(query).split()
    if not terms:
        return entries
    ranked = []
    for position, entry in enumerate(entries):
        haystack = _haystack(entry)
        if not all(term in haystack for term in terms):
            continue
        needs = search_fold(" ".join(need.name for need in entry.needs.all()))
        if all(term in needs for term in terms):
            rank = 0
        elif all(term in search_fold(entry.name) for term in terms):
            rank = 1
        else:
            rank = 2
        ranked.append((rank, position, entry))
    return [entry for _rank, _position, entry in sorted(ranked, key=lambda row: row[:2])]


def directory_needs(entries: list[Service]) -> list[NeedLink]:
    """The needs the entries help with, each with how many of them do: a need no entry
    in the scope has is not listed (without login: no public entry)."""
    counts: Counter[int] = Counter()
    needs: dict[int, ServiceNeed] = {}
    for entry in entries:
        for need in entry.needs.all():
            counts[need.pk] += 1
            needs[need.pk] = need
    ordered = sorted(needs.values(), key=lambda need: sort_key(need.name))
    return [NeedLink(need, counts[need.pk]) for need in ordered]


def directory_page(
    scope: QuerySet[Service], *, query: str = "", need_id: int | None = None
) -> DirectoryPage:
    """Everything a directory page shows, from one scope."""
    entries = directory_entries(scope)
    needs = directory_needs(entries)
    need = next((link.need for link in needs if link.need.pk == need_id), None)
    found = entries
    if need is not None:
        found = [entry for entry in found if any(n.pk == need.pk for n in entry.needs.all())]
    found = directory_search(found, query=query)
    return DirectoryPage(
        services=found,
        needs=needs,
        query=query,
        need=need,
        filtered=bool(search_fold(query)) or need is not None,
        total=len(entries),
    )


def municipalities_with_public_entries() -> list[Municipality]:
    """The municipalities whose directory anyone may read: with at least one public entry."""
    return list(
        Municipality.objects.filter(bti_services__active=True, bti_services__is_public=True)
        .distinct()
        .order_by("name")
    )
