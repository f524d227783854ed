"""The demo municipality's mapping of indicators to the law's three topics
(opplæringslova § 17-12), from ``fixtures/demo/law_topics.json``: Elevundersøkelsen's
bullying and well-being under læringsmiljø, the national tests and grunnskolepoeng under
læringsresultater, completion of upper secondary under gjennomføring."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from indicators import demo as indicators_demo
from indicators.models import Indicator, Source
from plans.demo_data import read_demo_data
from plans.models import Municipality
from reports.models import LawTopic
from reports.services.law_topics import law_topics_save


@dataclass(frozen=True)
class DemoLawTopic:
    topic: Annotated[str, LawTopic]
    indicators: tuple[str, ...]  # codes in fixtures/demo/indicators.json, in order


@dataclass(frozen=True)
class LawTopicsDemoData:
    topics: tuple[DemoLawTopic, ...]


def _check(data: LawTopicsDemoData) -> Iterator[tuple[str, str]]:
    codes = {indicator.code for indicator in indicators_demo.INDICATORS}
    seen: set[str] = set()
    for i, topic in enumerate(data.topics):
        if topic.topic in seen:
            yield f"topics[{i}].topic", f"«{topic.topic}» står mer enn én gang"
        seen.add(topic.topic)
        for j, code in enumerate(topic.indicators):
            if code not in codes:
                yield f"topics[{i}].indicators[{j}]", f"«{code}» finnes ikke i indicators.json"


def demo_law_topics_load(
    *, municipality: Municipality, directory: Path | None = None
) -> dict[str, int]:
    """Map the demo's own indicators to the law's topics (after ``indicators.demo`` has
    made them); replaces the municipality's mapping. A mistake in the file stops it on
    read, naming the key, before anything is written. Returns how many links there are."""
    data = read_demo_data("law_topics.json", LawTopicsDemoData, check=_check, directory=directory)
    source = Source.objects.get(code=indicators_demo.SOURCE_CODE)
    by_code = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(source=source, municipality=municipality)
    }
    links = law_topics_save(
        municipality=municipality,
        topics={item.topic: [by_code[code] for code in item.indicators] for item in data.topics},
    )
    return {"law_topic_indicators": len(links)}
