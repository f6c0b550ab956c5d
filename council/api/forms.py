"""The profile page's section about personal access tokens: the form to create one, and the list."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from council.api import services
from council.api.models import TokenScope
from council.dbtypes import choices
from council.forms import CouncilForm


class TokenForm(CouncilForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=services.MAX_NAME_LENGTH)],
                       description=_l("The system that will use it, e.g. “Akimat document system”."))
    scope = SelectField(_l("Access"), choices=choices(TokenScope), default=TokenScope.READ.value)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Prefixed: the profile form on the same page has a "name" field too.
        kwargs.setdefault("prefix", "token")
        super().__init__(*args, **kwargs)


def token_section(token_form: TokenForm | None = None, new_secret: str | None = None) -> dict[str, Any]:
    """What the profile page shows about the reader's tokens (the secret only right after creation)."""
    return {"tokens": services.tokens_of(current_user),
            "token_form": token_form or TokenForm(formdata=None), "new_secret": new_secret}
