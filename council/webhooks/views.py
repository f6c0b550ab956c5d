"""Webhook pages: the endpoints one looks after, registering one, and each one's delivery log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from council.auth.permissions import is_secretary, require
from council.directory.models import PlatformRole
from council.directory.services import organisation_groups
from council.errors import DomainError
from council.extensions import db
from council.forms import grouped_options, option, submit_form
from council.timeutil import utcnow
from council.web import current_council, paginate, private_page
from council.webhooks import services
from council.webhooks.catalogue import KINDS_BY_SUBJECT, SUBJECT_LABELS
from council.webhooks.forms import EndpointForm
from council.webhooks.models import DeliveryState

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Webhook pages are for the council's secretaries and organisations' token holders."""


@bp.get("")
def endpoints() -> str:
    page = paginate(services.endpoints_for(current_user))
    return render_template("webhooks/endpoints.html", page=page)


def _organisation_choices(form: EndpointForm) -> None:
    whole = [option("", _("The whole council"))] if is_secretary(current_user, current_user.council_id) \
        or current_user.role == PlatformRole.ADMIN else []
    form.organisation_id.choices = whole + grouped_options(organisation_groups(
        list(services.organisations_for(current_user))))


@bp.route("/new", methods=["GET", "POST"])
def new_endpoint() -> Response | str | tuple[str, int]:
    council = current_council()
    require(current_user, "webhook.list", council.id)
    form = EndpointForm()
    _organisation_choices(form)
    return submit_form(
        form, lambda: render_template("webhooks/new.html", form=form, kinds=KINDS_BY_SUBJECT,
                                      subjects=SUBJECT_LABELS),
        lambda: services.register(current_user, council, name=form.name.data or "",
                                  url=form.url.data or "", kinds=form.kinds.data or [],
                                  organisation_id=form.organisation_id.data),
        _("Endpoint registered. Copy its signing secret into the receiving system."),
        lambda endpoint: url_for(".endpoint", endpoint_id=endpoint.id))


@bp.get("/<int:endpoint_id>")
def endpoint(endpoint_id: int) -> Response:
    record = services.get_endpoint(current_user, endpoint_id)
    page = paginate(services.deliveries_of(record))
    return private_page(render_template("webhooks/endpoint.html", endpoint=record, page=page,
                                        now=utcnow(), finished=(DeliveryState.DELIVERED,
                                                                DeliveryState.FAILED)))


def _act(endpoint_id: int, action: Callable[[Any], Any], done: str) -> Response:
    """One change of the endpoint through its service; a refusal is said on the endpoint's page."""
    record = services.get_endpoint(current_user, endpoint_id)
    try:
        action(record)
    except DomainError as error:
        db.session.rollback()
        if error.status_code in (403, 404):
            raise
        flash(error.message, "error")
        return redirect(url_for(".endpoint", endpoint_id=endpoint_id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".endpoint", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/rotate")
def rotate_secret(endpoint_id: int) -> Response:
    return _act(endpoint_id, lambda record: services.rotate_secret(current_user, record),
                _("A new signing secret is in use; the previous one also signs for a day."))


@bp.post("/<int:endpoint_id>/deactivate")
def deactivate(endpoint_id: int) -> Response:
    return _act(endpoint_id, lambda record: services.deactivate(current_user, record),
                _("The endpoint is turned off: nothing more is sent to it."))


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver(endpoint_id: int, delivery_id: int) -> Response:
    return _act(endpoint_id, lambda record: services.redeliver(current_user, record, delivery_id),
                _("The delivery is queued again, with the same webhook id."))
