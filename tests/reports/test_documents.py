"""The report's documents as a reader opens them: the DOCX in python-docx, the PDF through pypdf's text."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from docx import Document as open_docx
from pypdf import PdfReader

from council.extensions import db
from council.reports import services
from council.reports.models import ReportStatus, ReportVersion
from council.reports.services import ReportRequest
from tests.reports.conftest import KnownData

Q3 = ReportRequest(group_id=None, period="quarter", year=2026, part=3)


def generated(user: Any, asked: ReportRequest, **kwargs: Any) -> ReportVersion:
    version = services.request_report(user, user.council, asked, **kwargs)
    db.session.commit()
    assert services.generate(version.id) == "done"
    db.session.expire_all()
    version = db.session.get(ReportVersion, version.id)
    assert version is not None and version.status == ReportStatus.DONE and version.progress == 100
    return version


def docx_text(content: bytes) -> str:
    document = open_docx(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    parts.extend(p.text for p in document.sections[0].header.paragraphs)
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_a_russian_report_has_its_sections_and_the_known_figures(known: KnownData) -> None:
    version = generated(known.world.secretary,
                        ReportRequest(**{**Q3.__dict__, "group_id": known.world.group.id}))
    for text in (docx_text(version.docx or b""), pdf_text(version.pdf or b"")):
        for section in ("Содержание", "Итоги периода", "Рабочие группы", "Показатели",
                        "Проведённые заседания и совещания", "Инициативы", "ПРОЕКТ"):
            assert section in text, section
        assert "TRD-2026-001-TM1" in text  # overdue, 12 days late on 1 October
        assert "Отстающая сторона" in text
        assert "512,8" in text and "438,2" in text  # the latest observation, the baseline
        assert "Запустить электронную очередь до конца года." in text
        assert "Киоски установлены" in text
        assert "Электронная очередь на пункте Темирбаба" in text


def test_a_bilingual_report_has_both_languages(known: KnownData) -> None:
    version = generated(known.world.secretary, ReportRequest(**{**Q3.__dict__, "language": "kk",
                                                               "second_language": "tk"}))
    for text in (docx_text(version.docx or b""), pdf_text(version.pdf or b"")):
        assert "Темірбаба бекетіндегі электрондық кезек" in text
        assert "Garabogaz serhet geçelgesinde elektron nobat" in text
        assert "Haryt dolanyşygy" in text and "Тауар айналымы" in text
        # A text not yet in Turkmen shows its Russian original, marked.
        assert "Запустить электронную очередь" in text


def test_an_empty_period_gives_a_document_that_says_so(known: KnownData) -> None:
    version = generated(known.world.secretary, ReportRequest(group_id=None, period="dates", language="en",
                                                             start=date(2020, 1, 1), end=date(2020, 3, 31)))
    for text in (docx_text(version.docx or b""), pdf_text(version.pdf or b"")):
        assert "Nothing was recorded in this period." in text
        assert "No meetings were held in this period." in text


KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІ әғқңөұүһі"
TURKMEN_LETTERS = "ÄÇŇÖŞÜÝŽ äçňöşüýž"


def test_every_kazakh_and_turkmen_letter_is_rendered(known: KnownData) -> None:
    group = known.world.group
    group.name = {"ru": "Торговля", "kk": f"Сауда {KAZAKH_LETTERS}", "tk": f"Söwda {TURKMEN_LETTERS}"}
    db.session.commit()
    version = generated(known.world.secretary, ReportRequest(group_id=group.id, period="quarter", year=2026,
                                                             part=3, language="kk", second_language="tk"))
    for text in (docx_text(version.docx or b""), pdf_text(version.pdf or b"")):
        assert KAZAKH_LETTERS in text and TURKMEN_LETTERS in text


def test_a_public_report_leaves_out_what_is_not_public(known: KnownData) -> None:
    known.recommendation.is_public = True
    db.session.commit()
    version = generated(known.world.secretary, Q3, public=True)
    text = pdf_text(version.pdf or b"")
    assert "TRD-2026-001" in text and "Public records only" not in text  # Russian report
    assert "Только открытые записи" in text
    assert "TRD-2026-002" not in text  # not public
    assert "Запустить электронную очередь" not in text  # the meeting is not public
