"""Uploaded files, one implementation for every app that stores them (ticket attachments,
knowledge document attachments): what is accepted, under which name it is stored, how it is
served back.

Type by content: a file is accepted only when its first bytes match an allowed format. OOXML
documents are zip files; they are told apart by the ``[Content_Types].xml`` member and their
main part. Text is accepted when it decodes as UTF-8 (or GB18030, common for Chinese logs)
without control bytes. The claimed type is the file name's extension: when it names a type we
know (``.png``, ``.pdf``, ``.txt`` …) and the content is something else, the file is refused.
The ``Content-Type`` of the multipart part is ignored either way (browsers derive it from the
name, other clients send anything).

Size: at most the ``max_file_size`` setting of the tenant (system configuration registry).

Storage: under a generated name (``<app>/<tenant>/<yyyy>/<mm>/<32 hex><detected extension>``)
in ``MEDIA_ROOT``, which is outside ``static/`` and not served by any URL; files leave only
through ``download_response`` (``Content-Disposition: attachment``, ``nosniff``, a sandboxing
CSP) from views that checked who may read them.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass

from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.config import get_config
from portal.errors import DomainError, ErrorCode

# (signature, offset, mime type, extension)
SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"GIF87a", 0, "image/gif", ".gif"),
    (b"GIF89a", 0, "image/gif", ".gif"),
    (b"BM", 0, "image/bmp", ".bmp"),
    (b"%PDF-", 0, "application/pdf", ".pdf"),
]
OOXML_PARTS = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
TEXT_EXTENSIONS = {".csv": "text/csv", ".log": "text/plain", ".txt": "text/plain"}
_CONTROL = set(range(9)) | {11, 12} | set(range(14, 32)) | {127}


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _zip_kind(fileobj) -> tuple[str, str]:
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "", ""
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" in names:
        for prefix, kind in OOXML_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return "application/zip", ".zip"


def _text_kind(sample: bytes, filename: str) -> tuple[str, str]:
    if not sample or any(byte in _CONTROL for byte in sample):
        return "", ""
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            break
        except UnicodeDecodeError as error:
            # a multi-byte character cut by the sample boundary is still text
            if error.start >= len(sample) - 4:
                break
    else:
        return "", ""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ".txt"
    if extension not in TEXT_EXTENSIONS:
        extension = ".txt"
    return TEXT_EXTENSIONS[extension], extension


def detect(fileobj, filename: str = "") -> tuple[str, str]:
    """``(mime_type, extension)`` of an allowed file, or ``("", "")`` when not allowed."""
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    for signature, offset, mime, extension in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return mime, extension
    if _is_webp(head):
        return "image/webp", ".webp"
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(fileobj)
    return _text_kind(head, filename)


# the type each known extension claims (the detected types above, plus their other spellings)
CLAIMED_TYPES: dict[str, str] = {
    **{extension: mime for _signature, _offset, mime, extension in SIGNATURES},
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".zip": "application/zip",
    **{extension: mime for mime, extension in OOXML_PARTS.values()},
    **TEXT_EXTENSIONS,
}
TEXT_TYPES = frozenset(TEXT_EXTENSIONS.values())


def extension_of(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _same_kind(claimed: str, detected: str) -> bool:
    # every text type is the same kind: a .csv or .log is plain text to the detector
    return claimed == detected or (claimed in TEXT_TYPES and detected in TEXT_TYPES)


@dataclass(frozen=True)
class CheckedUpload:
    mime_type: str
    extension: str
    size: int


def check_upload(*, tenant, upload) -> CheckedUpload:
    """Refuse (``DomainError``) a file that is too large, of a type not allowed, or whose
    content does not match the type its name claims. Writes nothing."""
    limit = int(get_config("max_file_size", tenant=tenant))
    if upload.size > limit:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            _("“%(name)s” is larger than the limit of %(limit)s.")
            % {"name": (getattr(upload, "name", "") or "")[:100], "limit": filesizeformat(limit)},
            field="file",
            details={"max_file_size": limit, "file_size": upload.size},
        )
    filename = getattr(upload, "name", "") or ""
    mime, extension = detect(upload, filename)
    if not mime:
        raise DomainError(
            ErrorCode.UNSUPPORTED_FILE_TYPE,
            _("“%(name)s” is not a file type accepted here.") % {"name": filename[:100]},
            field="file",
        )
    claimed = CLAIMED_TYPES.get(extension_of(filename))
    if claimed and not _same_kind(claimed, mime):
        raise DomainError(
            ErrorCode.UNSUPPORTED_FILE_TYPE,
            _("The content of “%(name)s” does not match its type.") % {"name": filename[:100]},
            field="file",
            details={"claimed_type": claimed, "detected_type": mime},
        )
    return CheckedUpload(mime_type=mime, extension=extension, size=upload.size)


def stored_name(app: str, tenant_id, extension: str) -> str:
    """The generated storage name: the uploader's file name never reaches the file system."""
    return f"{app}/{tenant_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def download_name(filename: str, extension: str) -> str:
    """The name a download is saved under: the uploader's name, ending in an extension of the
    detected type (``notes.html`` holding text is saved as ``notes.html.txt``)."""
    filename = (filename or "file").strip() or "file"
    claimed = CLAIMED_TYPES.get(extension_of(filename))
    detected = CLAIMED_TYPES.get(extension)
    if not extension or (claimed and detected and claimed == detected):
        return filename
    return filename + extension


def download_response(file, *, filename: str, mime_type: str, extension: str = "") -> FileResponse:
    """Serve a stored file as a download that browsers never render inline; a missing file is
    a 404 (``DomainError``), not a server error."""
    if not file:
        raise DomainError(ErrorCode.NOT_FOUND, _("The attachment has no stored file."))
    try:
        handle = file.open("rb")
    except FileNotFoundError:  # the row outlived its file (storage restored from an older backup)
        raise DomainError(ErrorCode.NOT_FOUND, _("The attachment has no stored file.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(filename, extension),
        content_type=mime_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
