"""Small helpers every blueprint's views share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response

from council.errors import DomainError
from council.extensions import db
from council.input_checks import bounded_int

if TYPE_CHECKING:  # shared plumbing: no domain is imported at run time
    from council.directory.models import Council

UNPROCESSABLE = 422
logger = logging.getLogger(__name__)


def current_council() -> Council:
    """The signed-in person's council (404 if it is gone)."""
    council: Council | None = current_user.council
    if council is None:
        abort(404)
    return council


# An id no record has, built into a remembered address where each record's own id goes (`record_path`).
_PLACEHOLDER = 2_147_000_001


def record_path(endpoint: str, **value: int) -> str:
    """`url_for(endpoint, name=record_id)` with one integer argument, built by url_for once per request
    and endpoint: a list links each of its 25 rows to two or three records, and url_for cost a tenth of
    writing a row."""
    [(name, record_id)] = value.items()
    paths: dict[tuple[str, str], str] = g.setdefault("record_paths", {})
    path = paths.get((endpoint, name))
    if path is None:
        arguments: dict[str, Any] = {name: _PLACEHOLDER}
        path = paths[(endpoint, name)] = url_for(endpoint, **arguments)
    return path.replace(str(_PLACEHOLDER), str(int(record_id)))


# A search counts its matches up to this many: past it the list says "more than" (the count of a search
# matching much of a large council would read all of it; nobody pages that far through a search). So
# does a list of recommendations narrowed by their commitments ("with an overdue commitment in
# Turkmenistan"): each recommendation is asked whether it has such a commitment, and at 10,000 of them
# the exact count cost more than the rest of the page.
SEARCH_COUNT_LIMIT = 1000


class PageRecords:
    """A page's records known first by their ids, in the list's order, and read from the database only
    when first needed: all of them (`for record in page.items`), or those a caller does not hold already
    (`load`: a list's rows kept written, council/tracker/rows.py, read only the rows that changed)."""

    def __init__(self, ids: list[int], read: Callable[[list[int]], list[Any]]) -> None:
        self.ids = ids
        self._read = read
        self._records: list[Any] | None = None

    def load(self, ids: list[int]) -> dict[int, Any]:
        """The records of these ids, by id: those still in the list (one changed or removed since its
        id was read is left out)."""
        return {record.id: record for record in self._read(ids)} if ids else {}

    def _all(self) -> list[Any]:
        if self._records is None:
            found = self.load(self.ids)
            self._records = [found[record_id] for record_id in self.ids if record_id in found]
        return self._records

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        return bool(self.ids)


class _PageOfIds(SelectPagination):
    """A page whose rows are found first by their ids alone, in the list's order (`ids`, a select of one
    column), then read with their joins when needed (`PageRecords`): the joins and wide columns are read
    for one page of rows at most, not for every row the filters match before the sort keeps 25 of them."""

    def _query_items(self) -> PageRecords:  # type: ignore[override]
        ids: Select[Any] = self._query_args["ids"]
        session = self._query_args["session"]
        page_ids = list(session.scalars(ids.limit(self.per_page).offset(self._query_offset)))
        query: Select[Any] = self._query_args["select"]

        def read(wanted: list[int]) -> list[Any]:
            return list(session.execute(query.where(ids.selected_columns[0].in_(wanted))).unique().scalars())

        return PageRecords(page_ids, read)


def paginate(query: Select[Any], *, count_limit: int | None = None, ids: Select[Any] | None = None,
             total: int | None = None) -> Pagination:
    """A page of `query`. The total counts `query`, with `count_limit` up to that many, and
    `page.more_than` is the limit when there are more (else None); `total` when the number is known
    already (a count kept as the rows are recorded, or kept by the list: council/tracker/rows.py).
    With `ids` (the ids of the list's rows, in its order), the page is taken from the ids first and its
    rows are read when needed (`PageRecords`) with `query`, asked for those ids alone (it may leave the
    list's filters to `ids`)."""
    # page: never None, or Flask-SQLAlchemy would read the argument itself, unchecked.
    page_number, per_page = arg_int("page") or 1, current_app.config["PAGE_SIZE"]
    if ids is None:
        page = db.paginate(query, page=page_number, per_page=per_page, max_per_page=100, error_out=False,
                           count=False)
    else:
        page = _PageOfIds(select=query, ids=ids, session=db.session(), page=page_number, per_page=per_page,
                          max_per_page=100, error_out=False, count=False)
    if total is None:
        total = count_of(query, count_limit)
    page.total = total if count_limit is None else min(total, count_limit)
    page.more_than = count_limit if count_limit is not None and total > count_limit else None  # type: ignore[attr-defined]
    return page


def count_of(rows: Select[Any], count_limit: int | None = None) -> int:
    """How many rows `rows` has; with `count_limit`, up to that many and one more."""
    rows = rows.order_by(None)
    if count_limit is not None:
        rows = rows.limit(count_limit + 1)
    return db.session.scalar(select(func.count()).select_from(rows.subquery())) or 0


def arg_int(name: str) -> int | None:
    """An integer query argument (a filter, a page, a choice to start a form with). One that is not a
    number, or one no column can hold, is ignored and the page says so (`ignored_arguments`): an old
    or hand-edited link still shows the list, not an error page."""
    value = request.args.get(name, "")
    if value == "":
        return None
    try:
        return bounded_int(name, value)
    except DomainError:
        ignore_argument(name)
        return None


def known_choice(name: str, value: str | None, known: Callable[[str], Any]) -> str | None:
    """A query argument that must be one of a list's choices (a status, a sort); another value is left
    out, with a notice."""
    if not value:
        return None
    if known(value):
        return value
    ignore_argument(name)
    return None


def ignore_argument(name: str) -> None:
    """Note that the query argument `name` was not understood and is left out of the page."""
    ignored: list[str] = g.setdefault("ignored_arguments", [])
    shown = f"{name}={request.args.get(name, '')}"
    if shown not in ignored:
        ignored.append(shown if len(shown) <= 60 else shown[:59] + "…")


def ignored_arguments() -> list[str]:
    """The query arguments this page left out ("due_within=abc"), for the notice at its top."""
    return list(g.get("ignored_arguments", []))


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def private_page(html: str, status: int = 200) -> Response:
    """A rendered page that must not be cached (a secret shown once: a QR code, recovery codes, a new
    token). An HTML response: Werkzeug's Response is text/plain by default, and with `nosniff` the
    browser then showed the page's source."""
    return no_store(Response(html, status, mimetype="text/html"))


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path of this site, else None: the one check for every `next` the app follows.

    An open redirect lets a phishing link borrow our sign-in page. Browsers drop tabs and newlines
    from a URL and read a backslash as a slash, so `/%09/evil.example` and `/\\evil.example` lead away
    as `//evil.example` does; encoded slashes are refused for the same reason (a proxy may decode them).
    """
    if not target or not target.startswith("/"):
        return None
    decoded = target
    for _ in range(3):  # decoded as often as a chain of proxies might: %252f is a slash two hops on
        decoded = unquote(decoded)
    if any(ch in decoded for ch in "\\\x7f") or any(ord(ch) < 0x20 for ch in decoded):
        return None
    if decoded.startswith("//") or urlsplit(decoded).netloc or urlsplit(decoded).scheme:
        return None
    return target


def after_response(response: Response, work: Callable[..., Any], *args: Any) -> Response:
    """Run `work(*args)` once the response has gone to the client, in a fresh app context, and commit.

    For work whose cost must not show in the response time (whether an address has an account)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work(*args)
                db.session.commit()
            except Exception:  # the client has its answer already; the log keeps what went wrong
                db.session.rollback()
                logger.exception("Work after the response failed: %s", getattr(work, "__name__", work))

    response.call_on_close(run)
    return response
