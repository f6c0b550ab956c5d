"""What every service does to a record: insist on the original text, and apply values noting changes."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from council.errors import ValidationFailed
from council.i18n import LANGUAGES, Translations, clean_translations


def require_original_text(texts: Translations, original: str, field: str) -> Translations:
    """Clean multilingual text and insist on its original language, the authoritative one."""
    texts = clean_translations(texts)
    if original not in LANGUAGES:
        raise ValidationFailed(_("Choose the original language."), field="original_language")
    if not texts.get(original):
        raise ValidationFailed(_("Enter the text in its original language."), field=field)
    return texts


def apply_changes(record: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply values to a record and return {field: [old, new]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    for key, new in values.items():
        old = getattr(record, key)
        if old != new:
            changed[key] = [str(old) if old is not None else None,
                            str(new) if new is not None else None]
            setattr(record, key, new)
    return changed
