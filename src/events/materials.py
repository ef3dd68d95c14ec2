"""What an uploaded material's file may be, checked on its content, never on its name.

:func:`check` reads an upload and returns what to store, or raises a ``ValidationError`` that
says why not; nothing is written to the storage before it has passed. Accepted: PDF, PNG,
JPEG and WebP images, and presentations (PowerPoint's PPTX and OpenDocument's ODP, both zip
containers recognised by the type they declare inside, not by their extension). Refused: any
other content (SVG included, which may carry scripts: "export the image as PNG"), a name whose
extension says another type than the content, a file beyond
``settings.PTCE_MATERIAL_MAX_BYTES``, a name with path separators, ``..`` or control
characters.

Images are re-encoded, at most :data:`IMAGE_MAX_WIDTH` pixels wide: only the resized copy is
stored, which also drops their metadata (a photo's GPS position, its camera).
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from PIL import Image, ImageOps, UnidentifiedImageError

#: Images are stored at most this wide (pixels), the width of the page at most.
IMAGE_MAX_WIDTH = 1600
#: An image beyond this many pixels is refused before it is decoded (it would fill the memory).
IMAGE_MAX_PIXELS = 60_000_000

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP = "application/vnd.oasis.opendocument.presentation"


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    #: How the type is named beside the file's title: "Slides (PDF, 2.4 MB)".
    label: str
    #: Shown in the browser (PDF, images) rather than downloaded (presentations).
    inline: bool


KINDS = {
    kind.content_type: kind
    for kind in (
        Kind("application/pdf", "pdf", "PDF", True),
        Kind("image/png", "png", "PNG", True),
        Kind("image/jpeg", "jpg", "JPEG", True),
        Kind("image/webp", "webp", "WebP", True),
        Kind(PPTX, "pptx", "PowerPoint", False),
        Kind(ODP, "odp", "OpenDocument", False),
    )
}

#: The extensions a name may end with, and the type each announces.
EXTENSIONS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "pptx": PPTX,
    "odp": ODP,
}

PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}

ACCEPTED = _lazy("PDF, PNG, JPEG or WebP images, PowerPoint (PPTX) or OpenDocument (ODP) slides")


@dataclass(frozen=True)
class Checked:
    """An upload that passed: the content to store and what is known of it."""

    content: ContentFile
    kind: Kind
    size: int
    #: The name it came with, made safe for a download's name: "slides-day-2.pdf".
    file_name: str


def kind_of(content_type):
    return KINDS.get(content_type)


def check(upload):
    """The upload (a Django ``UploadedFile``) made ready to store, or ``ValidationError``."""
    name = upload.name or ""
    check_name(name)
    limit = settings.PTCE_MATERIAL_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s: at most %(limit)s are accepted.")
            % {"size": filesizeformat(upload.size or 0), "limit": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # A size that lied.
        raise ValidationError(
            _("The file is beyond %(limit)s.") % {"limit": filesizeformat(limit)}, code="too_big"
        )
    content_type = detect(data)
    declared = _extension(name)
    if content_type is None:
        if _looks_like_svg(data) or declared == "svg":
            raise ValidationError(
                _("SVG images are not accepted: export the image as PNG."), code="svg"
            )
        raise ValidationError(
            _("This kind of file is not accepted; accepted: %(accepted)s.")
            % {"accepted": ACCEPTED},
            code="type",
        )
    kind = KINDS[content_type]
    if declared in EXTENSIONS and EXTENSIONS[declared] != content_type:
        raise ValidationError(
            _("The file's content is not a %(type)s, whatever its name says.")
            % {"type": KINDS[EXTENSIONS[declared]].label},
            code="mismatch",
        )
    if declared not in EXTENSIONS:
        raise ValidationError(
            _("The file's name must end with .%(extension)s, as its content is a %(type)s.")
            % {"extension": kind.extension, "type": kind.label},
            code="extension",
        )
    if content_type in PILLOW_FORMATS:
        data = resized_image(data, content_type)
    stem = name.rsplit(".", 1)[0]
    file_name = f"{slugify(stem)[:100].strip('-') or 'document'}.{kind.extension}"
    return Checked(ContentFile(data, name=file_name), kind, len(data), file_name)


def check_name(name):
    """Refuse a name that is a path, or that holds control characters."""
    if (
        not name.strip()
        or "/" in name
        or "\\" in name
        or ".." in name
        or any(unicodedata.category(character).startswith("C") for character in name)
    ):
        raise ValidationError(
            _(
                "The file's name may not contain “/”, “\\”, “..” or control characters: "
                "rename the file and send it again."
            ),
            code="name",
        )


def detect(data):
    """The accepted type of ``data`` from its bytes (one of :data:`KINDS`), or None."""
    guess = filetype.guess_mime(data[:8192])
    if guess in ("application/pdf", "image/png", "image/jpeg", "image/webp"):
        return guess
    if data[:4] == b"PK\x03\x04":
        return _presentation(data)
    return None


def _presentation(data):
    """PPTX or ODP by what the zip container declares inside it, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODP.encode()
            ):
                return ODP
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size < 200_000:
                    declared = archive.read(info)
                    main = f"{PPTX}.main+xml".encode()
                    if main in declared and "ppt/presentation.xml" in names:
                        return PPTX
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError):
        return None
    return None


SVG_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE svg|<svg)", re.S | re.I)


def _looks_like_svg(data):
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(SVG_START.match(head)) or b"<svg" in head.lower()


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def resized_image(data, content_type):
    """The image re-encoded in its own format, turned upright, at most
    :data:`IMAGE_MAX_WIDTH` wide, without its metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise ValueError("too many pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.width > IMAGE_MAX_WIDTH:
                height = max(1, round(image.height * IMAGE_MAX_WIDTH / image.width))
                image = image.resize((IMAGE_MAX_WIDTH, height), Image.Resampling.LANCZOS)
            pillow_format = PILLOW_FORMATS[content_type]
            if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            output = io.BytesIO()
            options = {"quality": 85} if pillow_format in ("JPEG", "WEBP") else {"optimize": True}
            image.save(output, format=pillow_format, **options)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise ValidationError(
            _("The image cannot be read: export it again as PNG or JPEG."), code="image"
        ) from error
    return output.getvalue()
