"""Amounts, units, percentages and counts are written the reader's way (Babel), in every language."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale

from council.extensions import db
from council.formatting import file_size, percent
from council.tracker.models import CommitmentStatus
from council.tracker.units import currency_of, format_amount, unit_label
from tests.conftest import page_text
from tests.factories import CommitmentFactory, IndicatorFactory, RecommendationFactory


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", "438,2\xa0млн\xa0$"), ("kk", "438,2\xa0млн\xa0$"), ("tk", "438,2\xa0mln\xa0US$"),
    ("en", "$438.2M"),
])
def test_money_in_millions(app, language, expected):
    with app.test_request_context(), force_locale(language):
        assert format_amount(Decimal("438.2"), "USD million") == expected


def test_currencies_and_units(app):
    assert currency_of("KZT million") == ("KZT", 1_000_000)
    assert currency_of("TMT") == ("TMT", 1)
    assert currency_of("hours") is None
    with app.test_request_context(), force_locale("ru"):
        assert format_amount(Decimal("1234567.5"), "TMT") == "1\xa0234\xa0567,50\xa0ТМТ"
        assert format_amount(Decimal("9"), "hours") == "9 часов"
        assert format_amount(Decimal("3"), "hours") == "3 часа"
        assert format_amount(Decimal("850"), "thousand tonnes") == "850 тыс. тонн"
        assert format_amount(Decimal("12"), "checkpoints") == "12 checkpoints"  # as its author wrote it
        assert unit_label("USD million") == "млн долларов США"
        assert percent(45) == "45\xa0%"
        assert file_size(12_300) == "12 кБ"
    with app.test_request_context(), force_locale("kk"):
        assert format_amount(Decimal("1250"), "KZT million") == "1,2\xa0млрд\xa0₸"
        assert unit_label("hours") == "сағат"
        assert percent(45) == "45%"
    with app.test_request_context(), force_locale("tk"):
        assert format_amount(Decimal("6"), "hours") == "6 sagat"
        assert unit_label("KZT thousand") == "müň teňňe"


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1, "vehicles", "1 транспортное средство"), (3, "vehicles", "3 транспортных средства"),
    (21, "vehicles", "21 транспортное средство"), (11, "vehicles", "11 транспортных средств"),
    (25, "vehicles", "25 транспортных средств"), (1, "people", "1 человек"), (3, "people", "3 человека"),
    (5, "people", "5 человек"), (Decimal("2.5"), "people", "2,5 человека"),
])
def test_a_russian_unit_agrees_with_its_number(app, value, unit, expected):
    """A unit CLDR does not know has its plural forms, not one fixed genitive plural."""
    with app.test_request_context(), force_locale("ru"):
        assert format_amount(value, unit) == expected


def test_a_unit_named_alone_is_in_the_nominative(app):
    with app.test_request_context(), force_locale("ru"):
        assert unit_label("TMT") == "манаты"
        assert unit_label("vehicles") == "транспортные средства"
    with app.test_request_context(), force_locale("kk"):
        assert format_amount(3, "vehicles") == "3 көлік құралы"
    with app.test_request_context(), force_locale("tk"):
        assert format_amount(3, "people") == "3 adam"


def test_indicator_page_shows_money_in_the_readers_language(client, auth, world):
    indicator = IndicatorFactory(council=world.council, group=world.group, baseline_value=Decimal("438.2"),
                                 target_value=Decimal("1000"))
    world.secretary.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    text = page_text(client.get(f"/tracker/indicators/{indicator.id}"))
    assert "438,2\xa0млн\xa0$" in text and "1\xa0млрд\xa0$" in text
    assert "млн долларов США" in text  # the unit, named


def _tile(page: str, link: str) -> str:
    """The text of the dashboard tile whose number links to `link`, tags and line breaks taken out."""
    tile = next(article for article in re.findall(r"<article[^>]*>.*?</article>", page, re.S)
                if link in article)
    return " ".join(re.sub(r"<[^>]+>", " ", tile).split())


@pytest.mark.parametrize(("overdue", "tile"), [
    (1, "1 обязательство просрочено"), (3, "3 обязательства просрочены"), (5, "5 обязательств просрочено"),
])
def test_dashboard_tiles_agree_with_their_number(client, auth, world, overdue, tile):
    """The council dashboard, in Russian: the overdue tile's words agree with the number beside them."""
    recommendation = RecommendationFactory(group=world.group)
    for _ in range(overdue):
        CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                          status=CommitmentStatus.IN_PROGRESS, due_date=date.today() - timedelta(days=10))
    CommitmentFactory(recommendation=recommendation, organisation=world.kz_org)  # due in 60 days
    world.secretary.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    page = page_text(client.get("/dashboard"))
    assert _tile(page, "overdue=1") == tile


def test_counts_in_templates_are_written_the_readers_way(app):
    from flask import render_template_string

    source = ("{{ ngettext('%(num)d person', '%(num)d people', n) }} | "
              "{% trans count=n %}{{ count }} commitment{% pluralize %}{{ count }} commitments{% endtrans %}")
    with app.test_request_context(), force_locale("ru"):
        assert render_template_string(source, n=12345) == "12\xa0345 участников | 12\xa0345 обязательств"
        assert render_template_string(source, n=3) == "3 участника | 3 обязательства"
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(source, n=1001) == "1,001 people | 1,001 commitments"


def test_remembered_formats_follow_the_reader(app):
    """Formats are remembered per language (and time zone): a reader never gets another's."""
    from datetime import UTC, datetime

    from flask_babel import refresh

    from council.formatting import format_datetime, format_decimal

    written = {}
    for language in ("ru", "en", "ru", "tk", "en"):
        with app.test_request_context(), force_locale(language):
            shown = (format_amount(Decimal("438.2"), "USD million"), format_decimal(Decimal("1234.5")),
                     percent(45))
            assert written.setdefault(language, shown) == shown
    assert written["ru"] == ("438,2\xa0млн\xa0$", "1\xa0234,5", "45\xa0%")
    assert written["en"] == ("$438.2M", "1,234.5", "45%")
    assert written["tk"][0] == "438,2\xa0mln\xa0US$"
    moment = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("en"):
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Aqtau"
        refresh()
        in_aktau = format_datetime(moment)
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Ashgabat"
        refresh()
        assert format_datetime(moment) == in_aktau  # both UTC+5
        app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
        refresh()
        assert format_datetime(moment) != in_aktau
