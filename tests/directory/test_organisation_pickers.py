"""Every list to choose an organisation from groups them by country, the international ones apart
(UNDP has an office in Kazakhstan but is no Kazakh organisation)."""

from __future__ import annotations

import re
from typing import Any

from council.directory.models import OrganisationKind
from council.extensions import db
from tests.factories import OrganisationFactory, RecommendationFactory


def _groups(html: str, name: str) -> dict[str, list[str]]:
    """{optgroup label: [option texts]} of the select named `name`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    optgroups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(1), re.S)
    return {label: re.findall(r"<option[^>]*>([^<]*)</option>", body) for label, body in optgroups}


def test_organisations_are_grouped_by_country_with_the_international_ones_apart(client: Any, auth: Any,
                                                                               world: Any) -> None:
    OrganisationFactory(council=world.council, code="undp", kind=OrganisationKind.INTERNATIONAL,
                        name={"en": "UNDP", "ru": "ПРООН"})
    recommendation = RecommendationFactory(group=world.group)
    db.session.commit()
    auth.login(world.secretary)
    pages = {
        "organisation_id": f"/tracker/recommendations/{recommendation.id}/commitments/new",
        "organisation": "/tracker/commitments",
        "invite_organisation_ids": "/meetings/new",
    }
    for name, url in pages.items():
        html = client.get(url).get_data(as_text=True)
        groups = _groups(html, name)
        assert list(groups) == ["Kazakhstan", "Turkmenistan", "International organisations"], url
        assert groups["International organisations"] == ["UNDP"], url
        assert "UNDP" not in groups["Kazakhstan"], url
        assert groups["Turkmenistan"] == ["Organisation balkan-hyakimlik"], url
    # The commitment form starts on "Choose…", outside the groups.
    html = client.get(pages["organisation_id"]).get_data(as_text=True)
    blank_first = (r'<select[^>]*name="organisation_id"[^>]*>'
                   r'<option[^>]*value=""[^>]*>Choose…</option><optgroup')
    assert re.search(blank_first, html)
