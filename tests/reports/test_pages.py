"""The report's pages: the form and its refusals, the progress page, the versions and the downloads."""

from __future__ import annotations

from typing import Any

from council.extensions import db
from council.reports.models import ReportStatus, ReportVersion
from tests.conftest import page_text, refusal
from tests.reports.conftest import KnownData

QUARTER = {"period": "quarter", "year": "2026", "part": "3", "language": "ru", "second_language": ""}


def post_form(client: Any, data: dict[str, str]) -> Any:
    response = client.post("/reports/new", data=data)
    response.close()  # runs the generation queued after the response (no broker in tests)
    return response


def test_a_secretary_generates_a_bilingual_council_report_and_downloads_both(
        client: Any, auth: Any, known: KnownData) -> None:
    auth.login(known.world.secretary)
    assert "/reports" in page_text(client.get("/dashboard"))  # the navigation's link
    response = post_form(client, {**QUARTER, "group_id": "", "second_language": "kk"})
    assert response.status_code == 302
    version = db.session.scalars(db.select(ReportVersion)).one()
    assert response.headers["Location"].endswith(f"/reports/{version.id}")
    assert version.status == ReportStatus.DONE and version.languages == ["ru", "kk"]
    page = page_text(client.get(f"/reports/{version.id}"))
    assert "The report is ready." in page and "Aliya Secretary" in page
    pdf = client.get(f"/reports/{version.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/reports/{version.id}/report.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert "attachment" in docx.headers["Content-Disposition"]
    listing = page_text(client.get("/reports"))
    assert f"/reports/{version.id}" in listing and "Ready" in listing


def test_bad_parameters_are_refused_naming_the_field(client: Any, auth: Any, known: KnownData) -> None:
    auth.login(known.world.secretary)
    cases = [
        ({**QUARTER, "period": "dates", "start": "2026-09-30", "end": "2026-07-01"},
         "The period&#39;s end must not be before its start."),
        ({**QUARTER, "group_id": "999999"}, "Not a valid choice"),
        ({**QUARTER, "second_language": "ru"}, "A bilingual report needs two different languages."),
        ({**QUARTER, "period": "dates", "start": "", "end": "2026-07-01"},
         "Enter the first day of the period."),
        ({**QUARTER, "year": "1066"}, "Enter a year between 2000 and 2100."),
        ({**QUARTER, "part": "5"}, "Choose which quarter or half-year."),
        ({**QUARTER, "language": "xx"}, "Choose the report&#39;s language."),
    ]
    for data, message in cases:
        response = post_form(client, data)
        assert response.status_code == 422, data
        assert message in page_text(response), (data, page_text(response)[:300])
    assert db.session.scalars(db.select(ReportVersion)).all() == []


def test_a_co_chair_generates_for_their_group_only(client: Any, auth: Any, known: KnownData) -> None:
    world = known.world
    auth.login(world.tm_chair)
    form = page_text(client.get("/reports/new"))
    assert "The whole council" not in form  # the council's report is the secretaries'
    assert post_form(client, {**QUARTER, "group_id": ""}).status_code == 422
    response = post_form(client, {**QUARTER, "group_id": str(world.group.id), "language": "tk"})
    assert response.status_code == 302
    version = db.session.scalars(db.select(ReportVersion)).one()
    assert version.group_id == world.group.id and version.requested_by_id == world.tm_chair.id
    auth.logout()
    auth.login(world.member)
    assert refusal(client.get("/reports/new")).startswith("Only the council's secretaries")
    assert client.get(f"/reports/{version.id}/report.pdf").status_code == 403


def test_the_progress_page_refreshes_while_the_report_is_made(client: Any, auth: Any,
                                                              known: KnownData) -> None:
    world = known.world
    version = ReportVersion(council_id=world.council.id, number=7, requested_by_id=world.secretary.id,
                            status=ReportStatus.RUNNING, progress=35, title="Q3",
                            parameters={"period": "quarter", "start": "2026-07-01", "end": "2026-09-30",
                                        "languages": ["ru"]})
    db.session.add(version)
    db.session.commit()
    auth.login(world.secretary)
    response = client.get(f"/reports/{version.id}")
    page = page_text(response)
    assert 'http-equiv="refresh"' in page and 'value="35"' in page and "35" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(f"/reports/{version.id}/report.pdf").status_code == 404  # not ready yet


def test_a_public_only_report_is_published_on_the_portal(client: Any, auth: Any, known: KnownData) -> None:
    world = known.world
    known.recommendation.is_public = True
    db.session.commit()
    auth.login(world.secretary)
    post_form(client, {**QUARTER, "group_id": "", "public_only": "y"})
    version = db.session.scalars(db.select(ReportVersion)).one()
    assert version.is_public
    portal = f"/public/{world.council.slug}/reports"
    assert f"/reports/{version.id}/report.pdf" not in page_text(client.get(portal))
    response = client.post(f"/reports/{version.id}/portal", data={"published": "1"})
    assert response.status_code == 302
    auth.logout()
    listing = page_text(client.get(portal))
    assert f"{portal}/{version.id}/report.pdf" in listing
    pdf = client.get(f"{portal}/{version.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_only_a_public_only_report_can_be_published(client: Any, auth: Any, known: KnownData) -> None:
    world = known.world
    auth.login(world.secretary)
    post_form(client, {**QUARTER, "group_id": ""})
    version = db.session.scalars(db.select(ReportVersion)).one()
    response = client.post(f"/reports/{version.id}/portal", data={"published": "1"})
    assert response.status_code == 409
    assert "built from public records only" in page_text(response)
    auth.logout()
    assert client.get(f"/public/{world.council.slug}/reports/{version.id}/report.pdf").status_code == 404
