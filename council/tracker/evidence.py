"""Evidence files: kept on disk under UPLOAD_FOLDER, never in the database; typed by their content.

The type is decided by sniffing the first bytes (and, for office files, the ZIP's members), never by
the name or the browser's word, so a renamed executable is refused.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from council.errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024

# content type: file extension stored on disk
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
}


class Upload(Protocol):
    """What a service needs of an uploaded file (werkzeug's FileStorage has it)."""

    filename: str | None
    stream: BinaryIO


@dataclass
class EvidenceUpload:
    """An upload from elsewhere than a web form (tests, the API, imports)."""

    filename: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def sniff(path: Path) -> str | None:
    """The content type of the file at `path` if it is one we accept, else None."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(path)
    return None


def _sniff_office(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype == "application/vnd.oasis.opendocument.text" else None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if "xl/workbook.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def clean_filename(name: str | None) -> str:
    """The uploader's name for the file, without any directory, for display and download."""
    base = os.path.basename((name or "").replace("\\", "/"))
    # No control characters or markup/shell punctuation: the name goes into pages and download headers.
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return base[:200] or "evidence"


def store(upload: Upload, commitment_id: int) -> StoredFile:
    """Copy an upload under UPLOAD_FOLDER/evidence/<commitment>/ after checking its size and type.

    Raises ValidationFailed (field "files") and leaves nothing on disk when the file is refused.
    """
    return store_in(upload, f"evidence/{commitment_id}")


def store_in(upload: Upload, place: str) -> StoredFile:
    """Copy an upload under UPLOAD_FOLDER/<place>/ with the evidence rules (size, sniffed type): what a
    progress report and a comment attach alike. Refused: ValidationFailed (field "files"), nothing on disk."""
    filename = clean_filename(upload.filename)
    folder = upload_root() / place
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{secrets.token_hex(16)}.part"
    digest = hashlib.sha256()
    size = 0
    limit = max_bytes()
    try:
        with partial.open("wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(_("%(name)s is larger than %(size)s MB.", name=filename,
                                             size=limit // (1024 * 1024)), field="files")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed(_("%(name)s is empty.", name=filename), field="files")
        content_type = sniff(partial)
        if content_type is None:
            raise ValidationFailed(_("%(name)s is not a PDF, PNG, JPEG, DOCX, XLSX or ODT file.",
                                     name=filename), field="files")
        stored_name = f"{place}/{secrets.token_hex(16)}.{ALLOWED_TYPES[content_type]}"
        partial.rename(upload_root() / stored_name)
    finally:
        partial.unlink(missing_ok=True)
    return StoredFile(filename, stored_name, content_type, size, digest.hexdigest())


def remove(stored_names: list[str]) -> None:
    """Delete files stored by a change that was then refused."""
    for name in stored_names:
        (upload_root() / name).unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return upload_root() / stored_name


def check_link(url: str) -> str:
    """An evidence link: http or https, with a host, at most 500 characters."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_("%(url)s is not a web address (http:// or https://).", url=url[:80]),
                               field="links")
    return url
