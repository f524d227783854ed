"""The handbook's plain text as HTML, and the «Hva gjør jeg nå?» link of the concern and
log pages.

A step's text is stored as plain text and every character of it is escaped: a blank line
starts a paragraph, a block of lines starting with «- » or «* » is a bullet list, and a
block of lines starting with «1. », «2. » … a numbered list. No markup from users reaches
the page, so no sanitiser is needed."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from btitracker.selectors.handbook import handbook_url_for

register = template.Library()

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_BREAK = mark_safe("<br>")


def _block(lines: list[str]) -> SafeString:
    for pattern, template_ in ((_BULLET, "<ul>{}</ul>"), (_NUMBER, "<ol>{}</ol>")):
        matches = [pattern.match(line) for line in lines]
        if all(matches):
            items = format_html_join("", "<li>{}</li>", ((m.group(1),) for m in matches if m))
            return format_html(template_, items)
    body = format_html_join(_BREAK, "{}", ((line,) for line in lines))
    return format_html("<p>{}</p>", body)


@register.filter
def handbook_text(value: str) -> SafeString:
    blocks = [block.split("\n") for block in re.split(r"\n\s*\n", value or "") if block.strip()]
    return mark_safe("".join(_block(lines) for lines in blocks))  # noqa: S308 — escaped above


@register.inclusion_tag("btitracker/handbook/_link.html", takes_context=True)
def handbook_link(context, level: int, unit=None) -> dict:
    """A small link to the handbook's steps for ``level`` and the unit's kind."""
    url, kind = handbook_url_for(user=context["request"].user, level=level, unit=unit)
    return {"url": url, "level": level, "kind": kind}
