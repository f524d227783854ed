"""The BTI handbook (handlingsveileder): who reads and writes it, what a step's text may
hold and how it is shown, which files a tool may be and how it is downloaded, its history,
and the «Hva gjør jeg nå?» links of the concern and log pages."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from btitracker.models import DocumentKind, HandbookChange, HandbookStep, HandbookTool
from btitracker.services import handbook as services
from documents.odt import odt_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    content_types = '<Types><Default Extension="xml" ContentType="application/xml"/></Types>'
    if macros:
        content_types = content_types.replace(
            "application/xml", "application/vnd.ms-word.document.macroEnabled.main+xml"
        )
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\0" * 10)
    return buffer.getvalue()


def upload(data: bytes, name: str = "verktøy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def make_step(cast, **overrides) -> HandbookStep:
    values = {
        "level": 0,
        "unit_kind": "skole",
        "position": 1,
        "title": "Når du undrer deg",
        "text": "Skriv ned hva du så.",
    }
    values.update(overrides)
    return services.handbook_step_create(
        actor=cast["bti_coordinator"], municipality=cast.municipality, **values
    )


def make_tool(cast, data: bytes = PDF, **overrides) -> HandbookTool:
    values = {"title": "Samtaleguide", "kind": "samtaleguide", "description": ""}
    values.update(overrides)
    return services.handbook_tool_create(
        actor=cast["bti_coordinator"], municipality=cast.municipality, upload=upload(data), **values
    )


def nabovik_coordinator(cast):
    from plans.models import Role
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="nabo-bti")
    MembershipFactory(user=user, municipality=cast.other_municipality, role=Role.BTI_COORDINATOR)
    return user


# --- who reads, who writes --------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["sector_leader", "unit_leader", "staff", "bti_coordinator", "elected_official", "data_admin"],
)
def test_every_member_reads_the_handbook_without_a_second_factor(cast, client_for, persona):
    make_step(cast, title="Ring foresatte")
    response = client_for(cast[persona]).get(reverse("bti:handbook"))
    assert response.status_code == 200
    assert "Ring foresatte" in response.content.decode()


def test_visitors_log_in_and_accounts_without_membership_are_refused(cast, client_for):
    response = client_for(None).get(reverse("bti:handbook"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(cast["no_membership"]).get(reverse("bti:handbook")).status_code == 403


def test_another_municipality_sees_neither_steps_nor_tools(cast, client_for):
    step = make_step(cast, title="Solviks eget steg")
    tool = make_tool(cast, title="Solviks guide")
    client = client_for(cast["other_municipality"])
    page = client.get(reverse("bti:handbook")).content.decode()
    assert "Solviks eget steg" not in page
    assert "Solviks guide" not in page
    assert client.get(reverse("bti:handbook-tool-download", args=[tool.pk])).status_code == 404
    client = client_for(nabovik_coordinator(cast))
    assert client.get(reverse("bti:handbook-step-edit", args=[step.pk])).status_code == 404
    response = client.post(reverse("bti:handbook-step-delete", args=[step.pk]))
    assert response.status_code == 404
    assert client.post(reverse("bti:handbook-tool-delete", args=[tool.pk])).status_code == 404
    assert HandbookStep.objects.filter(pk=step.pk).exists()
    assert HandbookTool.objects.filter(pk=tool.pk).exists()


STEP_POST = {
    "level": "1",
    "unit_kind": "barnehage",
    "position": "2",
    "title": "Møt foresatte",
    "text": "Avtal et møte.",
}


@pytest.mark.parametrize("persona", ["sector_leader", "unit_leader", "staff", "data_admin"])
def test_only_the_coordinator_writes(cast, client_for, persona):
    client = client_for(cast[persona])
    assert client.get(reverse("bti:handbook-step-create")).status_code == 403
    assert client.post(reverse("bti:handbook-step-create"), STEP_POST).status_code == 403
    assert not HandbookStep.objects.exists()
    with pytest.raises(PermissionDenied):
        services.handbook_step_create(
            actor=cast[persona],
            municipality=cast.municipality,
            level=0,
            unit_kind="",
            position=1,
            title="Uten rett",
            text="Nei.",
        )
    assert "Nytt steg" not in client.get(reverse("bti:handbook")).content.decode()


def test_the_coordinator_writes_a_step_and_the_history_shows_the_change(cast, client_for):
    client = client_for(cast["bti_coordinator"])
    response = client.post(reverse("bti:handbook-step-create"), STEP_POST)
    assert response.status_code == 302
    step = HandbookStep.objects.get()
    assert (step.level, step.unit_kind, step.title) == (1, "barnehage", "Møt foresatte")
    response = client.post(
        reverse("bti:handbook-step-edit", args=[step.pk]),
        {**STEP_POST, "text": "Avtal et møte innen en uke."},
    )
    assert response.status_code == 302
    change = HandbookChange.objects.filter(step=step).first()  # newest first
    assert change.actor == cast["bti_coordinator"]
    assert change.fields == [
        {"field": "Tekst", "old": "Avtal et møte.", "new": "Avtal et møte innen en uke."}
    ]
    history = client_for(cast["staff"]).get(reverse("bti:handbook-history")).content.decode()
    assert "Møt foresatte" in history
    assert "innen en uke" in history
    # Deleting keeps the history.
    client = client_for(cast["bti_coordinator"])
    assert client.post(reverse("bti:handbook-step-delete", args=[step.pk])).status_code == 302
    assert not HandbookStep.objects.exists()
    assert HandbookChange.objects.filter(subject__contains="Slettet").count() == 1


def test_saving_a_step_unchanged_writes_no_history(cast):
    step = make_step(cast)
    services.handbook_step_update(
        actor=cast["bti_coordinator"],
        step=step,
        level=0,
        unit_kind="skole",
        position=1,
        title="Når du undrer deg",
        text="Skriv ned hva du så.",
    )
    assert HandbookChange.objects.filter(step=step).count() == 1


# --- what a step may hold ---------------------------------------------------------------


def test_a_step_text_is_shown_as_paragraphs_and_lists_with_every_character_escaped(
    cast, client_for
):
    make_step(
        cast,
        text="Første avsnitt.\n\n- punkt én\n- <script>alert(1)</script>\n\n1. først\n2. så",
    )
    page = client_for(cast["staff"]).get(reverse("bti:handbook")).content.decode()
    assert "<p>Første avsnitt.</p>" in page
    assert "<ul><li>punkt én</li><li>&lt;script&gt;alert(1)&lt;/script&gt;</li></ul>" in page
    assert "<ol><li>først</li><li>så</li></ol>" in page
    assert "<script>alert(1)" not in page


def test_hidden_steering_characters_and_a_megabyte_are_refused_with_nothing_stored(
    cast, client_for
):
    client = client_for(cast["bti_coordinator"])
    response = client.post(
        reverse("bti:handbook-step-create"), {**STEP_POST, "title": "Møt\u202e foresatte"}
    )
    assert response.status_code == 400
    assert "U+202E" in response.content.decode()
    response = client.post(
        reverse("bti:handbook-step-create"), {**STEP_POST, "text": "x" * (1024 * 1024)}
    )
    assert response.status_code == 400
    assert not HandbookStep.objects.exists()
    with pytest.raises(ValidationError) as error:
        make_step(cast, text="y" * 5_001)
    assert "Tekst" in str(error.value)
    with pytest.raises(ValidationError):
        make_step(cast, text="Ok\u2066tekst")
    assert not HandbookStep.objects.exists()
    assert not HandbookChange.objects.exists()


def test_a_level_out_of_range_is_refused(cast, client_for):
    response = client_for(cast["bti_coordinator"]).post(
        reverse("bti:handbook-step-create"), {**STEP_POST, "level": "4"}
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        make_step(cast, level=7)
    assert not HandbookStep.objects.exists()


def test_another_municipalitys_tool_cannot_be_attached(cast, client_for):
    other = services.handbook_tool_create(
        actor=nabovik_coordinator(cast),
        municipality=cast.other_municipality,
        title="Naboviks guide",
        kind="samtaleguide",
        description="",
        upload=upload(PDF),
    )
    response = client_for(cast["bti_coordinator"]).post(
        reverse("bti:handbook-step-create"), {**STEP_POST, "tools": [str(other.pk)]}
    )
    assert response.status_code == 400
    assert not HandbookStep.objects.exists()
    with pytest.raises(ValidationError):
        make_step(cast, tools=[other])


# --- tools ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, DocumentKind.PDF),
        (docx_bytes(), DocumentKind.DOCX),
        (odt_bytes(title="Guide", paragraphs=["Et avsnitt."]), DocumentKind.ODT),
    ],
)
def test_pdf_docx_and_odt_are_taken_by_their_content_whatever_their_name(cast, data, kind):
    tool = services.handbook_tool_create(
        actor=cast["bti_coordinator"],
        municipality=cast.municipality,
        title="Guide",
        kind="samtaleguide",
        description="",
        upload=upload(data, name="heter-noe-annet.txt"),
    )
    assert tool.content_type == kind
    assert bytes(tool.data) == data


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"Bare tekst, men heter .pdf", "PDF, Word (DOCX) eller OpenDocument-tekst"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "PDF, Word (DOCX) eller OpenDocument-tekst"),
        (b"%PDF-1.4\n1 0 obj", "ufullstendig"),
        (b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (x) >> >>\n%%EOF", "skript"),
        (docx_bytes(macros=True), "makroer"),
        (_zip({"a.txt": b"x"}), "ikke et Word-dokument"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "annen type"),
        (b"PK\x03\x04" + b"\0" * 30, "skadet"),
        (b"", "tom"),
        (b"%PDF-" + b"x" * (5 * 1024 * 1024), "for stor"),
    ],
    ids=[
        "text",
        "png",
        "cut-pdf",
        "pdf-js",
        "docm",
        "plain-zip",
        "ods",
        "broken-zip",
        "empty",
        "too-big",
    ],
)
def test_bad_files_are_refused_with_a_norwegian_message_and_nothing_stored(
    cast, client_for, data, says
):
    client = client_for(cast["bti_coordinator"])
    response = client.post(
        reverse("bti:handbook-tool-create"),
        {"title": "Guide", "kind": "samtaleguide", "file": upload(data, "guide.pdf")},
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not HandbookTool.objects.exists()
    assert not HandbookChange.objects.exists()


def test_an_odt_with_macros_is_refused(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
        archive.writestr("Basic/Standard/Module1.xml", "<x/>")
    with pytest.raises(ValidationError, match="makroer"):
        make_tool(cast, buffer.getvalue())


def test_a_zip_that_unpacks_to_too_much_is_refused_without_unpacking(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (51 * 1024 * 1024))
    with pytest.raises(ValidationError, match="pakker seg ut"):
        make_tool(cast, buffer.getvalue())


def test_the_coordinator_uploads_a_tool_for_steps_and_members_download_it(cast, client_for):
    step = make_step(cast)
    client = client_for(cast["bti_coordinator"])
    response = client.post(
        reverse("bti:handbook-tool-create"),
        {
            "title": "Samtaleguide «små barn»/æøå",
            "kind": "samtaleguide",
            "steps": [str(step.pk)],
            "file": upload(PDF, "../../etc/passwd.pdf"),
        },
    )
    assert response.status_code == 302
    tool = HandbookTool.objects.get()
    assert list(tool.steps.all()) == [step]
    assert tool.file_name == "passwd.pdf"
    response = client_for(cast["elected_official"]).get(
        reverse("bti:handbook-tool-download", args=[tool.pk])
    )
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="Samtaleguide sma barn_aeoa.pdf"' in disposition
    assert "filename*=UTF-8''Samtaleguide%20%C2%ABsm%C3%A5%20barn%C2%BB_%C3%A6%C3%B8%C3%A5.pdf" in (
        disposition
    )
    page = client_for(cast["staff"]).get(reverse("bti:handbook")).content.decode()
    assert reverse("bti:handbook-tool-download", args=[tool.pk]) in page


@pytest.mark.parametrize("persona", ["sector_leader", "staff", "elected_official"])
def test_readers_cannot_upload_or_delete_tools(cast, client_for, persona):
    tool = make_tool(cast)
    client = client_for(cast[persona])
    response = client.post(
        reverse("bti:handbook-tool-create"),
        {"title": "Guide", "kind": "samtaleguide", "file": upload(PDF)},
    )
    assert response.status_code == 403
    assert client.post(reverse("bti:handbook-tool-delete", args=[tool.pk])).status_code == 403
    assert HandbookTool.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.handbook_tool_delete(actor=cast[persona], tool=tool)


def test_the_page_takes_the_same_number_of_queries_for_one_step_and_for_many(cast, client_for):
    client = client_for(cast["bti_coordinator"])
    tool = make_tool(cast)
    make_step(cast, tools=[tool])
    client.get(reverse("bti:handbook"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("bti:handbook")).status_code == 200
    for index in range(20):
        extra = make_tool(cast, title=f"Verktøy {index}")
        make_step(cast, title=f"Steg {index}", level=index % 4, tools=[tool, extra])
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("bti:handbook")).status_code == 200
    assert len(many) == len(one)
    # The bytes of the tools are never read for the page.
    assert not any('"data"' in query["sql"] for query in many.captured_queries)


def test_a_filter_shows_one_level_for_one_kind_and_the_steps_for_every_service(cast, client_for):
    make_step(cast, title="For skolen", unit_kind="skole")
    make_step(cast, title="For alle", unit_kind="")
    make_step(cast, title="For barnehagen", unit_kind="barnehage")
    make_step(cast, title="Nivå to", level=2)
    client = client_for(cast["staff"])
    page = client.get(reverse("bti:handbook"), {"niva": "0", "tjeneste": "skole"}).content.decode()
    assert "For skolen" in page
    assert "For alle" in page
    assert "For barnehagen" not in page
    assert "Nivå to" not in page
    # Nonsense in the filter shows the whole handbook rather than an error.
    page = client.get(reverse("bti:handbook"), {"niva": "99", "tjeneste": "<x>"}).content.decode()
    assert "For barnehagen" in page
    assert "Nivå to" in page


# --- the links from the concern and log pages -------------------------------------------


def test_concern_and_log_pages_link_to_the_step_for_their_level_and_unit_kind(cast, client):
    from tests.bti.helpers import build_bti, login_verified

    bti = build_bti(cast)
    login_verified(client, cast["staff"])
    page = client.get(reverse("bti:concern-detail", args=[bti.concern.pk])).content.decode()
    assert f"{reverse('bti:handbook')}?niva=0&amp;tjeneste=skole#niva-0" in page
    assert "Hva gjør jeg nå?" in page
    page = client.get(reverse("bti:case-detail", args=[bti.case.pk])).content.decode()
    level = bti.case.level
    assert f"?niva={level}&amp;tjeneste={bti.case.holder_unit.kind}#niva-{level}" in page
    page = client.get(reverse("bti:concern-create")).content.decode()
    assert "Hva gjør jeg nå?" in page
    assert "niva=0" in page


def test_members_find_the_handbook_in_the_menu(cast, client_for):
    page = client_for(cast["elected_official"]).get(reverse("home")).content.decode()
    assert reverse("bti:handbook") in page


def test_the_history_takes_the_same_number_of_queries_for_one_change_and_for_many(cast, client_for):
    client = client_for(cast["staff"])
    make_step(cast)
    client.get(reverse("bti:handbook-history"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("bti:handbook-history")).status_code == 200
    for index in range(15):
        make_step(cast, title=f"Steg {index}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("bti:handbook-history")).status_code == 200
    assert len(many) == len(one)


def test_the_size_cap_holds_when_the_upload_does_not_say_its_size(cast):
    big = upload(b"%PDF-" + b"x" * (5 * 1024 * 1024) + b"\n%%EOF")
    big.size = None
    with pytest.raises(ValidationError, match="for stor"):
        services.handbook_tool_create(
            actor=cast["bti_coordinator"],
            municipality=cast.municipality,
            title="Stor",
            kind="annet",
            description="",
            upload=big,
        )
    assert not HandbookTool.objects.exists()
