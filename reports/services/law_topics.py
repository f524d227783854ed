"""Changing which indicators the municipality reports under the law's three topics
(opplæringslova § 17-12: læringsmiljø, læringsresultater, gjennomføring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Indicator
from plans.models import Municipality
from reports.models import LawTopic, LawTopicIndicator


@transaction.atomic
def law_topics_save(
    *,
    municipality: Municipality,
    topics: Mapping[str, Sequence[Indicator]],
) -> list[LawTopicIndicator]:
    """Replace the municipality's mapping with ``topics`` (each topic's indicators in
    order; a topic left out keeps nothing). Every indicator must be one the municipality
    sees (the installation's or its own: the page offers only those the user sees, the
    demo its own) and stand at most once in a topic; otherwise nothing is written."""
    visible = set(
        Indicator.objects.for_municipality(municipality.pk)
        .filter(pk__in=[indicator.pk for chosen in topics.values() for indicator in chosen])
        .values_list("pk", flat=True)
    )
    errors: dict[str, list[str]] = {}
    for topic, chosen in topics.items():
        if topic not in LawTopic.values:
            raise ValidationError(_("Ukjent tema: %(topic)s.") % {"topic": topic})
        label = LawTopic(topic).label
        seen: set[int] = set()
        for indicator in chosen:
            if indicator.pk not in visible:
                errors.setdefault(topic, []).append(
                    _("%(topic)s: indikatoren finnes ikke i kommunen.") % {"topic": label}
                )
            elif indicator.pk in seen:
                errors.setdefault(topic, []).append(
                    _("%(topic)s: «%(name)s» er valgt mer enn én gang.")
                    % {"topic": label, "name": indicator.name}
                )
            seen.add(indicator.pk)
    if errors:
        raise ValidationError(errors)
    LawTopicIndicator.objects.filter(municipality=municipality).delete()
    return LawTopicIndicator.objects.bulk_create(
        LawTopicIndicator(
            municipality=municipality, topic=topic, indicator=indicator, order=position
        )
        for topic, chosen in topics.items()
        for position, indicator in enumerate(chosen, start=1)
    )
