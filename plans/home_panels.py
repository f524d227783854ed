"""Panels other apps add to the home page, so ``plans`` shows their summaries without
importing them. An app registers a panel in its ``AppConfig.ready()``; the home view asks
each panel for its context and shows those that return one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomePanel:
    template_name: str
    # The panel's template context for this user, or None to leave the panel out.
    context: Callable[[object], dict | None]


PANELS: list[HomePanel] = []


def register(template_name: str, context: Callable[[object], dict | None]) -> None:
    if all(panel.template_name != template_name for panel in PANELS):
        PANELS.append(HomePanel(template_name, context))


def panels_for(user) -> list[tuple[str, dict]]:
    shown = []
    for panel in PANELS:
        context = panel.context(user)
        if context:
            shown.append((panel.template_name, context))
    return shown
