"""The translation page of one record and language, and the editors' "to translate" list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from council.errors import DomainError, NotFound
from council.extensions import db
from council.forms import CouncilForm, form_page, show_error
from council.i18n import LANGUAGE_NAMES, LANGUAGES, localize
from council.translating import services
from council.translating.registry import KINDS, Kind, TextPart

bp = Blueprint("translating", __name__)


@bp.app_template_global()
def language_status(record: Any) -> services.LanguageStatus | None:
    """For a detail page: the record's original language, and what is missing for its editors."""
    return services.language_status(current_user, record)


@bp.app_template_global()
def has_translation_work() -> bool:
    return services.has_translation_work(current_user)


def _field_name(part: TextPart) -> str:
    return f"text_{part.key}"


def translation_form(parts: list[TextPart], current: dict[str, str]) -> CouncilForm:
    """One input per text of the record, for one language; its label is drawn by the template."""

    class TranslationForm(CouncilForm):
        pass

    for part in parts:
        field_class = TextAreaField if part.multiline else StringField
        setattr(TranslationForm, _field_name(part), field_class(
            validators=[Optional(), Length(max=part.max_length)]))
    return TranslationForm(data={_field_name(part): current.get(part.key, "") for part in parts})


def _record_url(kind: Kind, record: Any) -> str:
    return url_for(kind.endpoint, **kind.url_values(record))


@bp.route("/translate/<kind>/<int:record_id>/<lang>", methods=["GET", "POST"])
@login_required
def translate(kind: str, record_id: int, lang: str) -> Any:
    found = services.get_kind(kind)
    if lang not in LANGUAGES:
        raise NotFound(_("There is nothing at this address."))
    record = services.get_record(found, record_id, current_user)
    original = found.original(record)
    parts = found.parts(record)
    form = translation_form(parts, {part.key: found.read(record, part.key).get(lang, "") for part in parts})
    context = dict(kind=found, record=record, lang=lang, original=original, parts=parts,
                   # The original text, or (where only another language has it) that one, named.
                   originals={part.key: localize(found.read(record, part.key), original, original)
                              for part in parts},
                   field_name=_field_name, back=_record_url(found, record),
                   next_language=None)
    if lang == original:
        # Shown, not refused silently: the original is changed on the record's own edit page.
        return render_template("translating/translate.html", **context, is_original=True), 409
    if form.validate_on_submit():
        try:
            services.add_translation(current_user, record, lang, {
                part.key: getattr(form, _field_name(part)).data for part in parts})
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            if error.field and hasattr(form, f"text_{error.field}"):
                getattr(form, f"text_{error.field}").errors = [error.message]
            else:
                show_error(form, error)
        else:
            flash(_("Translation into %(language)s saved.", language=LANGUAGE_NAMES[lang]), "success")
            return redirect(_record_url(found, record))
    return form_page("translating/translate.html", form, **context, is_original=False)


@bp.get("/translations")
@login_required
def translations() -> str:
    # An unknown value filters nothing (as if none were chosen) rather than hiding every link.
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else None
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    work = services.translation_work(current_user, language=language, kind_key=kind)
    return render_template("translating/list.html", work=work, kinds=KINDS,
                           filters={"language": language, "kind": kind},
                           record_url=_record_url, limit=services.LIST_LIMIT)
