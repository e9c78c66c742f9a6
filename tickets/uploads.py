"""File type detection by content (magic bytes) against an allow-list.

The declared content type and the file name are not trusted: a file is accepted only when its
first bytes match an allowed format. OOXML documents are zip files; they are told apart by the
``[Content_Types].xml`` member and their main part. Text is accepted when it decodes as UTF-8
(or GB18030, common for Chinese logs) without control bytes.
"""

from __future__ import annotations

import zipfile

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
