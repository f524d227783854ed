"""The coat of arms or logo on the report's title page: only a sector leader uploads it,
only SVG or PNG whatever the file is called, an SVG that could run code or fetch anything
is refused with a Norwegian message, and the report keeps the logo of its day."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from plans.models import Membership, Role
from reports.models import LogoKind, ReportBranding
from reports.services.branding import MAX_BYTES, report_branding_update
from tests.reports.conftest import (
    order_and_render,
    order_written_and_render,
    pdf_reader,
    pdf_text,
    publish,
)
from tests.reports.synthetic import PASSWORD

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 100 120" width="100" height="120">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#0b3d6b"/></linearGradient>'
    b"</defs>"
    b'<path d="M0 0H100V70Q100 110 50 120Q0 110 0 70Z" fill="url(#g)"/>'
    b'<use xlink:href="#g"/><title>Testvik</title></svg>'
)


def png(width: int = 60, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 61, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(data: bytes, name: str = "logo.svg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/svg+xml")


def store(world, data: bytes, name: str = "logo.svg") -> ReportBranding:
    return report_branding_update(
        user=world.sector_leader, municipality=world.municipality, upload=upload(data, name)
    )


def refused(world, data: bytes, name: str = "logo.svg") -> str:
    with pytest.raises(ValidationError) as caught:
        store(world, data, name)
    messages = caught.value.message_dict["logo"]
    assert not ReportBranding.objects.exists()
    return " ".join(messages)


def test_a_plain_svg_and_a_png_are_stored_as_what_they_are(world):
    assert store(world, SVG).content_type == LogoKind.SVG
    # A PNG named .svg is a PNG.
    branding = store(world, png(), "kommunevapen.svg")
    assert branding.content_type == LogoKind.PNG
    assert ReportBranding.objects.count() == 1
    assert bytes(ReportBranding.objects.get().logo) == png()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG.replace(b"<title>", b"<script>alert(1)</script><title>"), "<script>"),
        (SVG.replace(b"<title>", b"<SCRIPT>alert(1)</SCRIPT><title>"), "<script>"),
        (SVG.replace(b"<path ", b'<path onload="alert(1)" '), "hendelsesattributtet onload"),
        (SVG.replace(b"<svg ", b'<svg onclick="x()" '), "hendelsesattributtet onclick"),
        (
            SVG.replace(
                b"<title>",
                b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
                b"</foreignObject><title>",
            ),
            "<foreignobject>",
        ),
        (SVG.replace(b'xlink:href="#g"', b'xlink:href="https://evil.example/x.svg#a"'), "ekstern"),
        (SVG.replace(b'xlink:href="#g"', b'href="file:///etc/passwd"'), "ekstern"),
        (SVG.replace(b'xlink:href="#g"', b'xlink:href="javascript:alert(1)"'), "ekstern"),
        (
            SVG.replace(b"<title>", b'<image href="data:image/png;base64,AAAA"/><title>'),
            "ekstern",
        ),
        (SVG.replace(b'fill="url(#g)"', b'fill="url(https://evil.example/p)"'), "ekstern"),
        (
            SVG.replace(
                b"<title>", b"<style>@import url(https://evil.example/a.css);</style><title>"
            ),
            "stil",
        ),
        (
            SVG.replace(b"<title>", b'<set attributeName="href" to="javascript:alert(1)"/><title>'),
            "animasjon",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]>'
            + SVG.replace(b"Testvik", b"&x;"),
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://evil.example/x.dtd">' + SVG,
            "DTD",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><path></svg>", "XML"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "Filen må være"),
        (b'<?xml version="1.0"?><html><body/></html>', "ikke en SVG"),
        (b"GIF89a\x01\x00\x01\x00", "Filen må være"),
        (b"%PDF-1.7\n", "Filen må være"),
        (b"", "Filen er tom"),
        (png()[:40], "skadet"),
        (b"<svg" + b" " * MAX_BYTES + b"/>", "for stor"),
    ],
)
def test_an_unsafe_or_foreign_file_is_refused_with_a_norwegian_message(world, data, message):
    assert message in refused(world, data)


def test_a_png_too_big_in_pixels_is_refused(world):
    assert "for stort" in refused(world, png(4001, 10), "logo.png")
    assert "for stort" in refused(world, png(2100, 2100), "logo.png")


def test_only_a_sector_leader_of_the_municipality_reaches_the_upload_page(world, client):
    url = reverse("reports:branding-edit")
    users = get_user_model()
    for role in (Role.ELECTED_OFFICIAL, Role.DATA_ADMIN, Role.BTI_COORDINATOR, Role.UNIT_LEADER):
        user = users.objects.create_user(username=f"u-{role}", password=PASSWORD)
        Membership.objects.create(
            user=user,
            municipality=world.municipality,
            role=role,
            unit=world.units[0] if role == Role.UNIT_LEADER else None,
        )
        client.force_login(user)
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"logo": upload(SVG)}).status_code == 403, role
        assert client.post(url, {"action": "delete"}).status_code == 403, role
    assert not ReportBranding.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302

    client.force_login(world.sector_leader)
    assert "Ingen logo er lastet opp" in client.get(url).content.decode()
    response = client.post(url, {"logo": upload(SVG)})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert ReportBranding.objects.get().municipality == world.municipality

    bad = client.post(url, {"logo": upload(SVG.replace(b"<path ", b'<path onload="x()" '))})
    assert bad.status_code == 400
    assert "hendelsesattributtet onload" in bad.content.decode()
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "Velg en fil med kommunevåpenet" in missing.content.decode()

    client.post(url, {"action": "delete"})
    assert not ReportBranding.objects.exists()


def test_the_logo_is_on_the_title_page_with_version_and_date_and_the_report_keeps_it(
    world, django_capture_on_commit_callbacks
):
    store(world, png(), "logo.png")
    report = order_written_and_render(world)
    assert report.snapshot["branding"]["logo"].startswith("data:image/png;base64,")
    first = pdf_reader(report).pages[0]
    assert len(first.images) == 1
    cover = " ".join((first.extract_text() or "").split())
    assert "Versjon 1" in cover
    collected = datetime.datetime.fromisoformat(report.snapshot["collected_at"])
    collected = timezone.localtime(collected)
    assert f"Dato: {collected.day}. {date_format(collected, 'F')} {collected.year}" in cover

    # A new logo later does not change the published report.
    with django_capture_on_commit_callbacks(execute=True):
        publish(report, world.sector_leader)
    store(world, SVG)
    report.refresh_from_db()
    assert report.snapshot["branding"]["logo"].startswith("data:image/png;base64,")
    assert len(pdf_reader(report).pages[0].images) == 1
    assert "Tilstandsrapport for oppvekst" in pdf_text(report)
    # The web page shows the same logo, as a data URI in an <img> (nothing served).
    client = Client()
    client.force_login(world.official)
    page = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert '<img src="data:image/png;base64,' in page
    assert 'alt="Kommunevåpen for Testvik kommune"' in page


def test_another_municipalitys_logo_never_reaches_a_report(world):
    from tests.reports.synthetic import build_world

    theirs = build_world(name="Nabovik kommune", number="9951", username_prefix="nabo-")
    report_branding_update(
        user=theirs.sector_leader, municipality=theirs.municipality, upload=upload(SVG)
    )
    report = order_and_render(world)
    assert report.snapshot["branding"] == {"logo": "", "logo_alt": ""}
    assert len(pdf_reader(report).pages[0].images) == 0
