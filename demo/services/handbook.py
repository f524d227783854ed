"""The demo municipality's BTI handbook (handlingsveileder): steps for every level, for all
services and for the kindergarten, the school and the health station, and three tools.
The texts are data (``fixtures/demo/bti_handbook.json``, written for the demo); the
tools are tiny OpenDocument texts made here from that data, so no binary file is kept in
the repository. Written through the coordinator's own services, so the history shows
them; deleted and made anew on every run."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from btitracker.models import HandbookChange, HandbookStep, HandbookTool
from btitracker.services.handbook import handbook_step_create, handbook_tool_create
from documents.odt import odt_bytes
from plans.demo_data import read_demo_data
from plans.models import Municipality


@dataclass(frozen=True)
class DemoTool:
    key: str
    title: str
    kind: str
    description: str
    paragraphs: list[str]


@dataclass(frozen=True)
class DemoStep:
    level: int
    unit_kind: str
    position: int
    title: str
    text: str
    tools: list[str]


@dataclass(frozen=True)
class HandbookDemoData:
    coordinator: str
    tools: list[DemoTool]
    steps: list[DemoStep]


def _check(data: HandbookDemoData):
    keys = {tool.key for tool in data.tools}
    for index, step in enumerate(data.steps):
        for key in step.tools:
            if key not in keys:
                yield f"steps[{index}].tools", f"ukjent verktøy {key!r}"


def demo_handbook_load(*, municipality: Municipality) -> dict[str, int]:
    """Solvik's handbook made anew: returns the number of steps and tools."""
    data = read_demo_data("bti_handbook.json", HandbookDemoData, check=_check)
    coordinator = get_user_model().objects.get(username=data.coordinator)
    HandbookChange.objects.filter(municipality=municipality).delete()
    HandbookStep.objects.filter(municipality=municipality).delete()
    HandbookTool.objects.filter(municipality=municipality).delete()
    tools = {}
    for tool in data.tools:
        upload = SimpleUploadedFile(
            f"{tool.key}.odt",
            odt_bytes(title=tool.title, paragraphs=tool.paragraphs),
            content_type="application/vnd.oasis.opendocument.text",
        )
        tools[tool.key] = handbook_tool_create(
            actor=coordinator,
            municipality=municipality,
            title=tool.title,
            kind=tool.kind,
            description=tool.description,
            upload=upload,
        )
    for step in data.steps:
        handbook_step_create(
            actor=coordinator,
            municipality=municipality,
            level=step.level,
            unit_kind=step.unit_kind,
            position=step.position,
            title=step.title,
            text=step.text,
            tools=[tools[key] for key in step.tools],
        )
    return {"handbook_steps": len(data.steps), "handbook_tools": len(data.tools)}
