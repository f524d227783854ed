"""The municipality's coat of arms or logo for the report's title page.

An upload is read as what its bytes are, never as what its name or the browser says: SVG
(parsed with ``defusedxml``, so no DTD or entities) or PNG (opened and verified with
Pillow). An SVG is a document that can carry scripts and fetch things, so only drawing is
let through: no ``script``, no ``foreignObject``, no event handler attributes, no
reference outside the file itself (only ``#fragment`` links), no ``javascript:``, no
``url()`` to anything but ``#fragment`` and no ``@import``. Whatever is refused gets its
own Norwegian message naming the field."""

from __future__ import annotations

import io
import re
import warnings

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import LogoKind, ReportBranding

FIELD = "logo"
MAX_BYTES = 512 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 4_000_000
SVG_NS = "http://www.w3.org/2000/svg"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Elements that run code, embed other documents or pull in other files.
FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
}
HREF_ATTRIBUTES = {"href", "{http://www.w3.org/1999/xlink}href", "src"}
_URL = re.compile(r"url\(\s*(['\"]?)(?P<target>[^)'\"]*)\1\s*\)", re.IGNORECASE)


def _error(message: str, code: str) -> ValidationError:
    return ValidationError({FIELD: ValidationError(message, code=code)})


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _check_reference(target: str) -> None:
    """Only a link inside the file itself (``#id``), or none, may stand in a logo."""
    if target.strip() and not target.strip().startswith("#"):
        raise _error(
            _("SVG-filen peker til en ekstern fil (%(target)s). Bare #-lenker er tillatt.")
            % {"target": target[:80]},
            "svg_external",
        )


def _check_css(text: str) -> None:
    lowered = text.lower()
    if "@import" in lowered or "javascript:" in lowered or "expression(" in lowered:
        raise _error(
            _("SVG-filen har stil som henter inn andre filer eller kjører kode. Fjern den."),
            "svg_style",
        )
    for match in _URL.finditer(text):
        _check_reference(match.group("target"))


def _check_svg(data: bytes) -> None:
    try:
        root = SafeElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as error:
        raise _error(
            _("SVG-filen har en DTD eller entiteter, som ikke er tillatt."), "svg_dtd"
        ) from error
    except SafeElementTree.ParseError as error:
        raise _error(_("SVG-filen kan ikke leses som XML."), "svg_parse") from error
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _error(_("Filen er ikke en SVG-tegning."), "not_svg")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local_name(element.tag)
        if name in FORBIDDEN_ELEMENTS:
            raise _error(
                _("SVG-filen inneholder <%(element)s>, som ikke er tillatt i en logo.")
                % {"element": name},
                "svg_element",
            )
        for attribute, value in element.attrib.items():
            local = _local_name(attribute)
            if local.startswith("on"):
                raise _error(
                    _(
                        "SVG-filen har hendelsesattributtet %(attribute)s, som kan kjøre kode. "
                        "Fjern det."
                    )
                    % {"attribute": local},
                    "svg_handler",
                )
            if attribute.lower() in HREF_ATTRIBUTES or local == "href":
                _check_reference(value)
            if local in {"attributename", "values", "to", "from", "by"} and (
                "href" in value.lower() or "javascript:" in value.lower()
            ):
                raise _error(
                    _("SVG-filen har en animasjon som endrer lenker. Fjern den."),
                    "svg_animation",
                )
            _check_css(value)
        if name == "style" and element.text:
            _check_css(element.text)


def _check_png(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    too_big = _(
        "PNG-bildet er for stort: høyst %(side)s piksler på hver side og %(pixels)s "
        "millioner piksler i alt."
    ) % {"side": MAX_SIDE, "pixels": MAX_PIXELS // 1_000_000}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "PNG":
                    raise _error(_("Filen er ikke et PNG-bilde."), "not_png")
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise _error(too_big, "png_size")
                image.verify()
            # verify() leaves the image unusable; decode it fully once to be sure.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise _error(too_big, "png_size") from error
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _error(_("PNG-bildet er skadet og kan ikke leses."), "png_broken") from error


def _kind_of(data: bytes) -> str:
    """What the bytes are (never what the name says): PNG by its signature, SVG by being
    XML whose root is an <svg>; anything else is refused."""
    if data.startswith(PNG_MAGIC):
        _check_png(data)
        return LogoKind.PNG
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")):
        _check_svg(data)
        return LogoKind.SVG
    raise _error(
        _("Filen må være en SVG-tegning eller et PNG-bilde, uansett hva filen heter."),
        "file_type",
    )


def report_branding_update(*, user, municipality, upload) -> ReportBranding:
    """Store ``upload`` (a Django ``UploadedFile``) as the municipality's logo for the
    report's title page, replacing the one before. Refused with a Norwegian message for
    the ``logo`` field when it is empty, too big, not SVG or PNG, or an unsafe SVG."""
    if upload is None:
        raise _error(_("Velg en fil med kommunevåpenet eller logoen."), "required")
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _error(
            _("Filen er for stor: høyst %(kb)s kB.") % {"kb": MAX_BYTES // 1024}, "too_big"
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _error(
            _("Filen er for stor: høyst %(kb)s kB.") % {"kb": MAX_BYTES // 1024}, "too_big"
        )
    if not data:
        raise _error(_("Filen er tom."), "empty")
    kind = _kind_of(data)
    with transaction.atomic():
        branding, _created = ReportBranding.objects.select_for_update().get_or_create(
            municipality=municipality,
            defaults={"logo": data, "content_type": kind, "updated_by": user},
        )
        branding.logo = data
        branding.content_type = kind
        branding.updated_by = user
        branding.save()
    return branding


def report_branding_delete(*, municipality) -> None:
    """Remove the logo: later reports have none (published ones keep theirs)."""
    ReportBranding.objects.filter(municipality=municipality).delete()
