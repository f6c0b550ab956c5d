"""Council: the platform of the Mangystau–Balkan cross-border cooperation council."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import current_user

from council.config import INSTANCE_PATH, Config
from council.extensions import babel, cache, csrf, db, limiter, login_manager, mail, migrate, talisman

# Content-Security-Policy that the pages satisfy: no inline script or style, everything served locally.
CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_PATH), template_folder="../templates")
    app.config.from_mapping(Config().as_dict())
    if test_config:
        app.config.from_mapping(test_config)
    INSTANCE_PATH.mkdir(parents=True, exist_ok=True)

    from council.deployment import settle

    settle(app)  # refuses to start without a secret key (and public address) in production

    from council.logs import configure_logging

    configure_logging(app)

    _bind_extensions(app)
    from council import input_checks

    input_checks.register_converters(app)
    input_checks.register(app)
    _register_permissions(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_number_helpers(app)

    from council import errorpages, outages
    from council import read_transactions as _read_transactions  # noqa: F401  (its engine events)

    errorpages.register(app)
    outages.register(app)

    from council.operations import metrics

    metrics.register(app)

    from council import privacy

    privacy.register(app)

    from council.cli import council_cli

    app.cli.add_command(council_cli)

    from council.celery import celery_init_app

    celery_init_app(app)
    return app


def _bind_extensions(app: Flask) -> None:
    from council.i18n import select_locale, select_timezone

    db.init_app(app)
    # Batch mode lets Alembic alter tables on SQLite too.
    from council.tracker.search import include_in_migrations

    migrate.init_app(app, db, directory=str(INSTANCE_PATH.parent / "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_in_migrations)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    # Shared by every process through Redis in production; each process's own memory without Redis.
    app.config.setdefault("CACHE_TYPE", "RedisCache" if app.config["REDIS_URL"] else "SimpleCache")
    app.config.setdefault("CACHE_KEY_PREFIX", "council-cache:")
    # The in-process cache holds the lists' rows too (council/tracker/rows.py): Flask-Caching's 500
    # entries would drop blocks and generations as soon as a few lists were read.
    app.config.setdefault("CACHE_THRESHOLD", 20_000)
    if app.config["CACHE_TYPE"] == "RedisCache":
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
        # A Redis that does not answer costs a page one second, then it is rendered without the cache.
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": 1, "socket_connect_timeout": 1})
    cache.init_app(app)
    mail.init_app(app)
    talisman.init_app(app, content_security_policy=CSP, force_https=app.config["HTTPS"],
                      session_cookie_secure=app.config["HTTPS"],
                      strict_transport_security=app.config["HTTPS"],
                      frame_options="DENY", referrer_policy="same-origin")

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to see this page.")

    from council.auth import sessions

    # "id:version:key": a cookie of an ended sign-in, or of an older session version, signs no one in.
    login_manager.user_loader(sessions.load)


def _register_permissions(app: Flask) -> None:
    """Each domain's rules, named here; an action that the code or a template asks about and that no
    rule answers stops the start-up."""
    from council.api import services as token_rules
    from council.auth import permissions
    from council.auth import two_factor as second_factor_rules
    from council.conversations import permissions as conversation_rules
    from council.meetings import permissions as meeting_rules
    from council.notifications import services as notification_rules
    from council.operations import components as component_rules
    from council.operations import personal_data as personal_data_rules
    from council.operations import status as operations_rules
    from council.reports import permissions as report_rules
    from council.tracker import permissions as tracker_rules
    from council.webhooks import permissions as webhook_rules

    app.extensions["permission_rules"] = (permissions, second_factor_rules, token_rules, tracker_rules,
                                          meeting_rules, notification_rules, operations_rules,
                                          personal_data_rules, report_rules, webhook_rules,
                                          conversation_rules, component_rules)
    package = Path(__file__).parent
    permissions.check_registered(permissions.asked_actions(package, package.parent / "templates"))


def _register_blueprints(app: Flask) -> None:
    from council.auth.views import bp as auth_bp
    from council.conversations.views import bp as conversations_bp
    from council.dashboard.public_views import bp as portal_bp
    from council.dashboard.views import bp as dashboard_bp
    from council.directory.views import bp as directory_bp
    from council.health import bp as health_bp
    from council.home.views import bp as home_bp
    from council.meetings import agenda_views, calendar_views, minutes_views
    from council.meetings.views import bp as meetings_bp
    from council.operations.views import bp as operations_bp
    from council.reports.public_views import bp as public_reports_bp
    from council.reports.views import bp as reports_bp
    from council.tracker import import_views, initiative_views
    from council.tracker.views import bp as tracker_bp
    from council.translating.views import bp as translating_bp

    # The meetings' and the tracker's pages are modules by sub-domain on one blueprint each; importing a
    # module adds its routes, so each is named here, before its blueprint is registered.
    for module, blueprint in ((agenda_views, meetings_bp), (minutes_views, meetings_bp),
                              (calendar_views, meetings_bp), (initiative_views, tracker_bp),
                              (import_views, tracker_bp)):
        if module.bp is not blueprint:
            raise RuntimeError(f"{module.__name__} adds its routes to another blueprint")

    app.register_blueprint(auth_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(tracker_bp)
    app.register_blueprint(translating_bp)
    app.register_blueprint(conversations_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(public_reports_bp)

    from council.api import init_api

    init_api(app)

    from council import notifications

    notifications.init_app(app)

    from council import webhooks

    webhooks.init_app(app)
    # Home registers what needs the reader, the opening sections of their digest.
    from council.home import digest  # noqa: F401


def _register_number_helpers(app: Flask) -> None:
    """Amounts, units, percentages, sizes and time zones written the reader's way (Babel)."""
    from flask_babel import get_translations

    from council.formatting import (
        counted,
        file_size,
        iso_date,
        number_symbols,
        number_text,
        page_gettext,
        percent,
    )
    from council.timeutil import time_zone_name
    from council.tracker.units import UNIT_LABELS, format_amount, format_figure, unit_label

    app.jinja_env.filters.update(amount=format_amount, figure=format_figure, unit=unit_label,
                                 file_size=file_size, percent=percent, iso_date=iso_date,
                                 number_text=number_text)
    app.jinja_env.globals.update(UNIT_LABELS=UNIT_LABELS, time_zone_name=time_zone_name,
                                 number_symbols=number_symbols)
    # Counts in templates ("12 345 участников"): Flask-Babel's callables, with the count written the
    # reader's way before Jinja fills the other placeholders.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: counted(get_translations().ungettext(s, p, n), n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: counted(get_translations().unpgettext(c, s, p, n), n),
    )

    @app.context_processor
    def translations_of_the_page() -> dict[str, Any]:
        return page_gettext(get_translations())


def _register_template_helpers(app: Flask) -> None:
    from council.auth.permissions import can
    from council.formatting import format_date, format_datetime, format_decimal
    from council.forms import form_problems
    from council.i18n import (
        LANGUAGE_NAMES,
        LANGUAGES,
        current_language,
        language_mark,
        marked_localized,
        missing_languages,
        plain_localized,
        render_localized,
    )
    from council.meetings.wording import about
    from council.tracker.badges import TEMPLATE_GLOBALS as BADGES
    from council.tracker.rows import commitment_rows, public_recommendation_rows, recommendation_rows
    from council.web import ignored_arguments, record_path

    app.jinja_env.filters.update(
        localized=render_localized, localized_text=plain_localized, localized_marked=marked_localized,
        date=format_date,
        datetime=format_datetime, number=format_decimal,
        reject_page=lambda args: {key: value for key, value in args.items() if key != "page"})
    app.jinja_env.globals.update(BADGES)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
                                 current_language=current_language, language_mark=language_mark,
                                 missing_languages=missing_languages, about=about,
                                 form_problems=form_problems, ignored_arguments=ignored_arguments,
                                 record_path=record_path, commitment_rows=commitment_rows,
                                 recommendation_rows=recommendation_rows,
                                 public_recommendation_rows=public_recommendation_rows)

    @app.context_processor
    def permission_helpers() -> dict[str, Any]:
        return {"can": lambda action, target=None: can(current_user, action, target)}
