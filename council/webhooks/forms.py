"""The form to register a webhook endpoint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from council.forms import CouncilForm, option, optional_int
from council.webhooks import services, targets
from council.webhooks.catalogue import ALL_KINDS


class EndpointForm(CouncilForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=services.MAX_NAME_LENGTH)],
                       description=_l("The system that receives it, e.g. “Akimat document system”."))
    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=targets.MAX_URL_LENGTH)],
                      description=_l("An https:// address on the public internet."))
    organisation_id = SelectField(_l("Records of"), coerce=optional_int, validate_choice=False)
    kinds = SelectMultipleField(_l("Events"), choices=[option(kind) for kind in ALL_KINDS],
                                validators=[DataRequired(message=_l("Choose at least one kind of event."))])
