"""No input makes a 500: every route of the permission matrix, as a signed-in secretary and anonymously,
gets hostile values in its path ids, its query string (every filter a page or the API accepts) and its
form fields or JSON body, and answers a 4xx (or its usual page).

The values are the ones that broke the database layer: a NUL byte (PostgreSQL refuses it in any text,
"A string literal cannot contain NUL"), a number beyond the integer range of an id, and a "number" whose
float overflows. Run it on PostgreSQL too (COUNCIL_TEST_DATABASE_URL): that is where NUL fails.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from flask import Flask

from tests.api.conftest import bearer
from tests.conftest import page_text
from tests.test_permission_matrix import WRITE_DATA, build_world, routes, uploads, url_for_rule

HUGE = "99999999999999999999"
VALUES = {"huge": HUGE, "overflow": "-1e400", "nul": "Kuryk\x00port"}
# Query arguments read by the views rather than by a form on a page (pagination, links from other pages).
LINKED_ARGUMENTS = {"page", "per_page", "next", "revision", "item", "parent", "group", "kind", "when",
                    "organisation", "owner", "region", "due_within", "sort", "overdue", "unread", "state",
                    "language", "q", "status", "country"}
# Run last: they remove or close the records every other route needs.
DESTRUCTIVE = ("delete", "remove", "revoke", "cancel", "logout")

__all__ = ["uploads"]  # the fixture, shared with the permission matrix


class _FormFields(HTMLParser):
    """The names of the fields of every form on a page, by the form's method."""

    def __init__(self) -> None:
        super().__init__()
        self.method = "get"
        self.names: dict[str, set[str]] = {"get": set(), "post": set()}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.method = (values.get("method") or "get").lower()
        elif tag in ("input", "select", "textarea", "button") and values.get("name"):
            self.names.setdefault(self.method, set()).add(str(values["name"]))


def _api_names(client: Any) -> tuple[set[str], set[str]]:
    """Every query parameter and every request-body property the API's document describes."""
    document = client.get("/api/v1/openapi.json").get_json()
    query = {p["name"] for path in document["paths"].values() for operation in path.values()
             if isinstance(operation, dict) for p in operation.get("parameters", [])
             if p.get("in") == "query"}
    body = {name for schema in document["components"]["schemas"].values()
            for name in schema.get("properties", {})}
    return query, body


def _hostile_path(endpoint: str, rule: str, kind: str, params: dict[str, Any]) -> str | None:
    """The rule's address with its ids (or, for NUL, its text arguments) replaced by the hostile value;
    None when the rule has no such argument."""
    replaced = False

    def argument(match: re.Match[str]) -> str:
        nonlocal replaced
        converter, name = match.group(1) or "string", match.group(2)
        if converter.startswith("int") != (kind == "nul"):
            replaced = True
            return "Kuryk%00port" if kind == "nul" else VALUES[kind]
        if name == "token":
            return str(params["feed_token"]) if endpoint == "meetings.calendar_feed" else "not-a-token"
        return quote(str(params[name]))

    path = re.sub(r"<(?:([^:>]+):)?(\w+)>", argument, rule)
    return path if replaced else None


def _hostile_json(names: set[str], kind: str) -> str:
    value = {"huge": HUGE, "overflow": "-1e400", "nul": json.dumps(VALUES["nul"])}[kind]
    return "{" + ", ".join(f"{json.dumps(name)}: {value}" for name in sorted(names)) + "}"


_field_names: dict[str, set[str]] = {}


def _names_on_pages(client: Any, table: list[tuple[str, str, set[str], str]]) -> dict[str, set[str]]:
    """The names of the fields of every form and filter on the pages a secretary sees (read once)."""
    if not _field_names:
        names: dict[str, set[str]] = {"get": set(LINKED_ARGUMENTS), "post": set()}
        for _endpoint, _rule, methods, url in table:
            if "GET" in methods and not url.startswith("/api/"):
                fields = _FormFields()
                response = client.get(url)
                fields.feed(page_text(response))
                response.close()
                for method in ("get", "post"):
                    names[method] |= fields.names.get(method, set())
        names["post"] -= {"csrf_token"}
        names["api_query"], names["api_body"] = _api_names(client)
        _field_names.update(names)
    return _field_names


def _sent_to_sign_in(response: Any) -> bool:
    return response.status_code == 401 or (response.status_code == 302
                                           and "/login" in response.headers.get("Location", ""))


def test_no_route_answers_5xx_to_hostile_input(app: Flask, client: Any, auth: Any, world: Any,
                                               uploads: Any) -> None:
    """One request per route and kind of value for each of: path ids, query string, form or JSON body;
    anonymously first, then as a signed-in secretary (with a bearer token on the API). One world for
    both: an anonymous visitor changes nothing, and the secretary's destructive routes come last."""
    from council.api import services as api_services
    from council.extensions import db

    records = build_world(world, uploads)
    _token, secret = api_services.create_token(world.secretary, name="Hostile", scope="read-write")
    db.session.commit()
    auth.login(world.secretary)
    table = sorted(((endpoint, rule, methods, url_for_rule(app, endpoint, records.params))
                    for endpoint, rule, methods in routes(app) if endpoint != "auth.logout"),
                   key=lambda row: (any(word in row[0] for word in DESTRUCTIVE), row[0]))
    names = _names_on_pages(client, table)
    auth.logout()
    problems: list[str] = []

    def check(method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # an exception escaping a view is a 500 in production
            problems.append(f"{role} {method} {url!r}: {type(error).__name__}: {error}")
            return None
        if response.status_code >= 500:
            problems.append(f"{role} {method} {url!r}: {response.status_code}")
        response.close()
        return response

    for role in ("anon", "secretary"):
        if role == "secretary":
            auth.login(world.secretary)
        headers = bearer(secret) if role == "secretary" else {}
        for endpoint, rule, methods, url in table:
            api = url.startswith("/api/v1/")
            for kind in ("huge", "nul"):
                path = _hostile_path(endpoint, rule, kind, records.params)
                if path is not None:
                    check("GET", path, headers=headers)
            if role == "anon":
                # Pages behind the sign-in read nothing of the request before sending a visitor there.
                probe = check("GET" if "GET" in methods else "POST", url)
                if probe is None or _sent_to_sign_in(probe):
                    continue
            for kind, value in VALUES.items():
                query = {name: value for name in names["api_query" if api else "get"]}
                if "GET" in methods:
                    check("GET", url, query_string=query, headers=headers)
                for method in sorted(methods & {"POST", "PUT", "PATCH"}):
                    if api:
                        check(method, url, data=_hostile_json(names["api_body"], kind),
                              headers=dict(headers, **{"Content-Type": "application/json"}))
                    else:
                        data = dict(WRITE_DATA.get(endpoint, {}), **{name: value for name in names["post"]})
                        check(method, url, query_string=query, data=data)

    assert not problems, "\n".join(problems)


def test_an_id_beyond_the_integer_range_is_not_found(client: Any, auth: Any, world: Any) -> None:
    auth.login(world.secretary)
    for url in (f"/public/{world.council.slug}/recommendations/{HUGE}", f"/people/{HUGE}",
                f"/tracker/commitments/{HUGE}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is nothing at this address." in page_text(response)


def test_a_filter_beyond_the_integer_range_is_left_out_naming_the_filter(client: Any, auth: Any,
                                                                         world: Any) -> None:
    auth.login(world.secretary)
    for url, shown in ((f"/tracker/commitments?group={HUGE}", f"group={HUGE}"),
                       ("/tracker/commitments?owner=-1e400", "owner=-1e400"),
                       (f"/public/{world.council.slug}/recommendations?group={HUGE}", f"group={HUGE}")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"Not understood, so left out: {shown}." in page_text(response), page_text(response)


def test_a_nul_byte_is_refused_naming_the_field(client: Any, auth: Any, world: Any) -> None:
    auth.login(world.secretary)
    response = client.get("/tracker/recommendations", query_string={"q": "Kuryk\x00port"})
    assert response.status_code == 400
    assert "“q”" in page_text(response)
    response = client.post("/profile", data={"name": "Aliya\x00", "language": "ru",
                                              "time_zone": "Asia/Aqtau"})
    assert response.status_code == 400
    assert "“name”" in page_text(response)
    assert world.secretary.name == "Aliya Secretary"
