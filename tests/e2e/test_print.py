"""The printed minutes and agenda: Chromium's print-to-PDF puts "page / pages" at the foot of every
page and the meeting's code, with the draft mark of unapproved minutes, at the head of every page."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from tests.e2e.conftest import LiveServer, Pages


def _pdf_pages(page, path: str) -> list[str]:
    page.goto(path)
    page.emulate_media(media="print")
    return [each.extract_text() for each in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


def test_printed_minutes_carry_page_numbers_and_the_code_on_every_page(new_page: Pages,
                                                                       live_server: LiveServer):
    from council.extensions import db
    from council.meetings.models import Meeting

    with live_server.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.reference == "CS-2025-02"))
        assert meeting is not None
        minutes = live_server.path_of("meetings.print_minutes", meeting_id=meeting.id)
        agenda = live_server.path_of("meetings.print_agenda", meeting_id=meeting.id)
        db.session.remove()
    page = new_page("cochair_kz")
    for path in (minutes, agenda):
        texts = _pdf_pages(page, path)
        for number, text in enumerate(texts, start=1):
            assert f"{number} / {len(texts)}" in text, (path, number)
            assert "CS-2025-02" in text.split("\n")[0] or text.count("CS-2025-02") >= 1, (path, number)
