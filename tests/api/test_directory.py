"""API v1 directory: working groups, organisations, countries and regions of the reader's council."""

from __future__ import annotations

from council.directory.models import OrganisationKind
from tests.api.conftest import bearer
from tests.factories import OrganisationFactory, RegionFactory, WorkingGroupFactory, country


def test_groups_are_listed_a_page_at_a_time_in_a_stable_order(client, world, as_member):
    for code in ("ECO", "MIG", "DIG"):
        WorkingGroupFactory(council=world.council, code=code, slug=code.lower())
    WorkingGroupFactory(council=world.council, code="OLD", slug="old", active=False)
    WorkingGroupFactory(code="ZZZ")  # another council's
    first = client.get("/api/v1/groups?per_page=3", headers=as_member).json
    assert [g["code"] for g in first["items"]] == ["DIG", "ECO", "MIG"]
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 3, 5, 2)
    second = client.get("/api/v1/groups?per_page=3&page=2", headers=as_member).json
    assert [g["code"] for g in second["items"]] == ["TRD", "OLD"]
    inactive = client.get("/api/v1/groups?active=false", headers=as_member).json
    assert [g["code"] for g in inactive["items"]] == ["OLD"]
    beyond = client.get("/api/v1/groups?page=9", headers=as_member).json
    assert beyond["items"] == [] and beyond["total"] == 5


def test_a_group_lists_its_members_without_their_addresses(client, world, as_member):
    response = client.get(f"/api/v1/groups/{world.group.id}", headers=as_member)
    body = response.json
    assert body["code"] == "TRD" and body["name"]["en"] == "Trade"
    assert [(m["name"], m["role"]) for m in body["members"]] == [
        ("Yerlan Chair", "co_chair"), ("Merdan Chair", "co_chair"), ("Nurlan Member", "member"),
        ("Batyr Member", "member")]
    assert body["members"][1]["organisation_id"] == world.tm_org.id
    assert "@" not in response.get_data(as_text=True)


def test_records_of_other_councils_and_unknown_ids_are_404(client, world, as_member):
    elsewhere = WorkingGroupFactory()
    foreign_org = OrganisationFactory()
    for path in (f"/api/v1/groups/{elsewhere.id}", f"/api/v1/organisations/{foreign_org.id}",
                 "/api/v1/groups/999999", "/api/v1/groups/99999999999999999999",
                 "/api/v1/groups/0", "/api/v1/groups/-1", "/api/v1/groups/abc"):
        response = client.get(path, headers=as_member)
        assert response.status_code == 404, path
        assert response.json["error"]["status"] == 404


def test_organisations_take_the_filters_of_the_organisations_page(client, world, as_member):
    region = RegionFactory(code="balkan", country_code=country("TM").code)
    OrganisationFactory(council=world.council, code="turkmenbashi-port", turkmen=True,
                        kind=OrganisationKind.BUSINESS, region_id=region.id,
                        name={"tk": "Türkmenbaşy porty", "ru": "Порт Туркменбаши"},
                        original_language="tk")
    OrganisationFactory(code="foreign-port")  # another council's

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/organisations{query}", headers=as_member)
        assert response.status_code == 200, response.json
        return [o["code"] for o in response.json["items"]]

    assert codes("") == ["aktau-akimat", "mangystau-akimat", "balkan-hyakimlik", "turkmenbashi-port"]
    assert codes("?country=TM") == ["balkan-hyakimlik", "turkmenbashi-port"]
    assert codes("?kind=business") == ["turkmenbashi-port"]
    assert codes(f"?region={region.id}") == ["turkmenbashi-port"]
    assert codes("?q=TÜRKMENBAŞY") == ["turkmenbashi-port"]
    assert codes("?q=%25") == []
    one = client.get(f"/api/v1/organisations/{world.tm_org.id}", headers=as_member).json
    assert one["kind"] == "hyakimlik" and one["country_code"] == "TM"


def test_bad_filters_are_422_naming_the_field(client, world, as_member):
    for query, field in (("kind=bakery", "kind"), ("per_page=101", "per_page"), ("page=0", "page"),
                         ("country=kz", "country"), ("region=x", "region"), ("active=maybe", "active"),
                         ("q=" + "x" * 101, "q"), ("q=a%00b", "q")):
        path = "/api/v1/organisations" if field != "active" else "/api/v1/groups"
        response = client.get(f"{path}?{query}", headers=as_member)
        assert response.status_code == 422, query
        error = response.json["error"]
        assert error["field"] == field and error["status"] == 422 and error["message"]
        assert error["errors"][field]


def test_countries_and_regions(client, world, as_member):
    RegionFactory(code="mangystau")
    RegionFactory(code="balkan", country_code=country("TM").code)
    countries = client.get("/api/v1/countries", headers=as_member).json
    assert [c["code"] for c in countries["items"]] == ["KZ", "TM"]
    regions = client.get("/api/v1/regions?country=TM", headers=as_member).json
    assert [r["code"] for r in regions["items"]] == ["balkan"]


def test_observers_read_the_directory_too(client, world, token_for):
    headers = bearer(token_for(world.observer))
    groups = client.get("/api/v1/groups", headers=headers)
    assert groups.status_code == 200 and [g["code"] for g in groups.json["items"]] == ["TRD"]
    organisations = client.get("/api/v1/organisations?country=KZ", headers=headers)
    assert [o["code"] for o in organisations.json["items"]] == ["aktau-akimat", "mangystau-akimat"]
    group = client.get(f"/api/v1/groups/{world.group.id}", headers=headers).json
    assert len(group["members"]) == 4 and "@" not in str(group)
