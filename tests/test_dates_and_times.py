"""One way to write a moment and a number, in every language: four-digit years, times to the minute,
and the symbols the charts write numbers with (issue 23, point 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from council.formatting import format_date, format_datetime, number_symbols
from council.notifications.messages import Reader

DAY = date(2026, 12, 5)
MOMENT = datetime(2026, 12, 5, 5, 0, 7, tzinfo=UTC)  # 10:00:07 in Aqtau and Ashgabat


@pytest.mark.parametrize(("language", "short", "group", "decimal", "percent"), [
    ("ru", "05.12.2026", "\xa0", ",", "#\xa0%"), ("kk", "05.12.2026", "\xa0", ",", "#%"),
    ("tk", "05.12.2026", "\xa0", ",", "#\xa0%"), ("en", "12/5/2026", ",", ".", "#%")])
def test_years_have_four_digits_times_no_seconds_and_charts_the_page_s_symbols(
        app, language, short, group, decimal, percent):
    with app.test_request_context(), force_locale(language):
        assert format_date(DAY, "short") == short
        for format in ("short", "medium", "long"):
            written = format_datetime(MOMENT, format)
            assert "2026" in written and ":07" not in written, (format, written)
        assert number_symbols() == {"group": group, "decimal": decimal, "percent": percent}
    reader = Reader(language, "Asia/Aqtau")
    assert ":07" not in reader.when(MOMENT) and "2026" in reader.date(DAY, "short")
