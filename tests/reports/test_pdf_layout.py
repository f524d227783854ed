"""Where the status report's pages break, read from WeasyPrint's own layout: a heading is
never the last thing on a page, and an indicator's heading stands on the page of its chart
(its source line between them goes along)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import translation

from documents.pdf import render_html
from reports.charts import add_charts
from reports.selectors.status_reports import status_report_pdf_context
from reports.services.status_reports import PDF_STYLESHEET, PDF_TEMPLATE
from reports.snapshot import build_snapshot
from tests.reports.synthetic import build_world

HEADINGS = {"h1", "h2", "h3", "h4"}


def lay_out(snapshot: dict):
    from documents.layout import StaticFilesOnly, lay_out_pages

    fetcher = StaticFilesOnly()
    html = render_html(PDF_TEMPLATE, status_report_pdf_context(snapshot=snapshot))
    return lay_out_pages(html, fetcher.static_url(PDF_STYLESHEET), fetcher).pages


def walk(box, ancestors=()):
    """Every line and image (SVG chart) on a page in document order, with the elements
    above it; margin boxes (running header and footer) are not content."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    element = getattr(box, "element", None)
    if element is not None and (not ancestors or ancestors[-1] is not element):
        ancestors = (*ancestors, element)
    if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
        yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from walk(child, ancestors)


def tag(element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def lay_out_big_report():
    # Six areas of four indicators, and area descriptions of different lengths so the
    # headings, charts and tables after them fall at every height of a page.
    world = build_world(areas=6, indicators=4, units=4, activities_per_area=3)
    with translation.override("nb"):
        report = world.plan.status_reports.model(
            municipality=world.municipality,
            quality_plan=world.plan,
            year=world.year,
            ordered_by=world.sector_leader,
        )
        snapshot = add_charts(build_snapshot(report, world.sector_leader))
        for number, area in enumerate(snapshot["areas"]):
            area["description"] = " ".join(["Beskrivelse av området."] * (9 * number))
        return lay_out(snapshot)


def headings_at_page_ends(laid_out) -> list[tuple[int, str]]:
    assert len(laid_out) > 20
    ends = []
    for number, page in enumerate(laid_out[:-1], start=1):
        content = list(walk(page._page_box))
        _box, ancestors = content[-1]
        heading = [tag(element) for element in ancestors if tag(element) in HEADINGS]
        if heading:
            ends.append((number, heading[0]))
    return ends


def indicator_headings_apart_from_their_charts(laid_out) -> list[tuple[int, list[int]]]:
    heading_page: dict[int, int] = {}
    chart_pages: dict[int, set[int]] = defaultdict(set)
    for number, page in enumerate(laid_out, start=1):
        for _box, ancestors in walk(page._page_box):
            indicator = next(
                (element for element in ancestors if "report-indicator" in classes(element)),
                None,
            )
            if indicator is None:
                continue
            tags = {tag(element) for element in ancestors}
            if "h4" in tags:
                heading_page.setdefault(id(indicator), number)
            if "figure" in tags and tag(ancestors[-1]) == "svg":
                chart_pages[id(indicator)].add(number)
    # 6 areas × 4 indicators, and the 2 the synthetic world maps to the law's topics.
    assert len(chart_pages) == 26
    return [
        (heading_page[key], sorted(pages))
        for key, pages in chart_pages.items()
        if pages != {heading_page[key]}
    ]


@pytest.mark.django_db
def test_no_heading_is_left_at_the_foot_of_a_page_without_what_it_introduces(media):
    laid_out = lay_out_big_report()
    assert headings_at_page_ends(laid_out) == []
    assert indicator_headings_apart_from_their_charts(laid_out) == []
