"""The importer's parsers and format detection.

Each parser module defines ``NAME`` (a short id), ``LABEL`` (Norwegian, for the preview),
``sniff(content: bytes, filename: str) -> bool`` (cheap: does this file look like my
format?) and ``parse(content: bytes, filename: str) -> ParseResult`` (raises
``FatalImportError`` when the file as a whole is unreadable). ``detect`` tries them in the
order below: specific layouts first, the portal's own long template last."""

from __future__ import annotations

from importlib import import_module

from indicators.parsing.base import FatalImportError, ParseResult

PARSER_MODULES = [
    "indicators.parsing.udir_xlsx",
    "indicators.parsing.udir_csv",
    "indicators.parsing.jsonstat",
    "indicators.parsing.ssb_csv",
    "indicators.parsing.fhi_cube",
    "indicators.parsing.fhi_api",
    "indicators.parsing.ungdata_table",
    "indicators.parsing.portal_template",
]


def parsers():
    return [import_module(name) for name in PARSER_MODULES]


def detect(content: bytes, filename: str):
    """The parser module for this file, or None when no layout is recognised (then the
    data admin maps the columns by hand, see ``indicators.parsing.mapped``)."""
    for parser in parsers():
        if parser.sniff(content, filename):
            return parser
    return None


def parse(content: bytes, filename: str) -> ParseResult:
    parser = detect(content, filename)
    if parser is None:
        raise FatalImportError(
            "Kjenner ikke igjen oppsettet i filen. Angi hvilke kolonner som er sted, "
            "periode, undergruppe og verdi."
        )
    return parser.parse(content, filename)
