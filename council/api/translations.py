"""API v1 translations: read a record's texts in every language and add one language to them.

The same registry and service as the translation page: whoever may edit the record may translate it,
the original language is refused (409), and the record's search key follows.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from council.api.blueprints import ID, resource_blueprint
from council.api.schemas import TranslationInputSchema, TranslationSchema
from council.directory.models import User
from council.extensions import db
from council.i18n import LANGUAGES
from council.translating import services
from council.translating.registry import KINDS, Kind

translations = resource_blueprint(
    "translations", __name__, "A record's texts in Russian, Kazakh, Turkmen and English; adding a language.")

# Path converters that list the allowed values, so the OpenAPI document names them as enums.
KIND = f"any({','.join(KINDS)})"
LANGUAGE = f"any({','.join(LANGUAGES)})"
CONFLICT = {"description": "That is the record's original language.", "content_type": "application/json"}


def _editor() -> User:
    person: User = current_user._get_current_object()
    return person


def _found(kind: str, record_id: int) -> tuple[Kind, Any]:
    found = services.get_kind(kind)
    return found, services.get_record(found, record_id, _editor())


def _described(kind: Kind, record: Any) -> dict[str, Any]:
    return {"kind": kind.key, "id": record.id, "original_language": kind.original(record),
            "missing_languages": services.missing_in(kind, record),
            "approved_languages": kind.approved(record),
            "texts": {part.key: kind.read(record, part.key) for part in kind.parts(record)}}


@translations.get(f"/translations/<{KIND}:kind>/<{ID}:record_id>")
@translations.response(200, TranslationSchema)
def get_translations(kind: str, record_id: int) -> dict[str, Any]:
    """A record's texts in every language (for those who may edit the record)."""
    return _described(*_found(kind, record_id))


@translations.put(f"/translations/<{KIND}:kind>/<{ID}:record_id>/<{LANGUAGE}:language>")
@translations.arguments(TranslationInputSchema)
@translations.response(200, TranslationSchema)
@translations.alt_response(409, schema="Error", **CONFLICT)
def add_translation(args: dict[str, Any], kind: str, record_id: int, language: str) -> dict[str, Any]:
    """Set the record's texts in one language other than its original one."""
    found, record = _found(kind, record_id)
    services.add_translation(_editor(), record, language, args["texts"])
    db.session.commit()
    return _described(found, record)


BLUEPRINTS = (translations,)
