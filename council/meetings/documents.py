"""Documents attached to a meeting: checked by type and size, kept under UPLOAD_FOLDER/meetings/."""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from council.auth.permissions import require
from council.directory.models import User
from council.errors import Conflict, ValidationFailed
from council.extensions import db
from council.meetings.models import AgendaItem, Meeting, MeetingDocument, MeetingEvent, MeetingStatus
from council.meetings.services import record_event
from council.meetings.wording import about
from council.timeutil import utcnow

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Extension: (content type, what the file must start with; None for plain text).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}


def max_bytes() -> int:
    return int(current_app.config.get("MEETING_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "meetings"


def path_of(document: MeetingDocument) -> Path:
    return storage_folder() / document.stored_name


def clean_filename(filename: str) -> str:
    """The uploaded name without any folder part or control characters, for the download header."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return name[:200] or "document"


def _check_content(extension: str, head: bytes, content: bytes | None) -> None:
    signatures = ALLOWED_TYPES[extension][1]
    if signatures is not None and not head.startswith(signatures):
        raise ValidationFailed(_("The file's content does not match its type."), field="file")
    if signatures is None and content is not None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationFailed(_("Text files must be in UTF-8."), field="file") from error


def add_document(actor: User, meeting: Meeting, *, title: str, filename: str, stream: IO[bytes],
                 agenda_item_id: int | None = None) -> MeetingDocument:
    """Store an uploaded file and attach it; refuses unknown types, disguised files and big files."""
    require(actor, "meeting.edit", meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(about(meeting, "This meeting has been cancelled."))
    filename = clean_filename(filename or "")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationFailed(_("Attach a PDF, office document, image, or text file."), field="file")
    if agenda_item_id is not None:
        item = db.session.get(AgendaItem, agenda_item_id)
        if item is None or item.meeting_id != meeting.id:
            raise ValidationFailed(about(meeting, "Choose an item of this meeting's agenda."),
                                   field="agenda_item_id")
    limit = max_bytes()
    content = stream.read(limit + 1)
    if not content:
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(content) > limit:
        raise ValidationFailed(_("The file is larger than %(size)d MB.", size=limit // (1024 * 1024)),
                               field="file")
    _check_content(extension, content[:16], content if ALLOWED_TYPES[extension][1] is None else None)
    title = (title or "").strip() or filename
    document = MeetingDocument(title=title[:200], filename=filename,
                               stored_name=f"{secrets.token_hex(16)}.{extension}",
                               content_type=ALLOWED_TYPES[extension][0], size=len(content),
                               agenda_item_id=agenda_item_id, uploaded_by_id=actor.id, uploaded_at=utcnow())
    folder = storage_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path_of(document).write_bytes(content)
    meeting.documents.append(document)
    db.session.flush()
    record_event(MeetingEvent.DOCUMENT_ADDED, meeting, actor, document_id=document.id, filename=filename)
    return document


def remove_document(actor: User, document: MeetingDocument) -> Path:
    """Detach a document; returns the file to delete once the change is committed."""
    meeting = document.meeting
    require(actor, "meeting.edit", meeting)
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise Conflict(about(meeting, "The minutes are approved; the meeting's documents are kept "
                                       "as they are."))
    record_event(MeetingEvent.DOCUMENT_REMOVED, meeting, actor, document_id=document.id,
                 filename=document.filename)
    meeting.documents.remove(document)
    return path_of(document)
