"""How fast and in how much memory the import refuses a spreadsheet that expands far beyond its size.

    .venv/bin/python -m bench.import_bomb

Builds four XLSX files and uploads each to /tracker/import as a signed-in secretary (a scratch SQLite
database): a "bomb" of 1,000,000 rows (0.5 MB, 132 MB once unzipped: refused on its declared size,
before parsing), a file of 300,000 rows that stays under the declared-size limit (refused when reading
passes the row limit), one of 300,000 blank-but-present rows, and one of 1,000 rows with a table of
1,700,000 shared strings (refused on their count). None has the dimension element, whose absence makes
openpyxl's read-only mode scan a whole sheet before the first row. Prints, per file, its size, its
declared size, the answer, the time of the request and, from a second request, its peak Python memory
(tracemalloc). Target: refused within 2 s and 50 MB. Not run by the test suite.

Figures (2 shared cores, SQLite): 0.02 s / 0.7 MB, 0.23 s / 2.6 MB, 0.27 s / 2.4 MB, 0.09 s / 3.6 MB.
"""

from __future__ import annotations

import io
import re
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bench.generate import BENCH_SECRET_KEY, sign_in
from bench.tracker import fill
from council import create_app
from council.extensions import db

HEADER = ["code", "recommendation", "organisation", "original_language", "due_date", "description_en"]


def _rows(count: int, blank: bool) -> Iterator[bytes]:
    """Rows without numbers (allowed: each follows the previous one), so they compress as repeats."""
    if blank:
        row = b'<row><c t="inlineStr"><is><t> </t></is></c></row>'
    else:
        row = (b'<row><c t="inlineStr"><is><t>TRD-2026-001-KZ1</t></is></c><c t="inlineStr"><is><t>'
               b'TRD-2026-001</t></is></c><c><v>46000</v></c></row>')
    block = row * 1000
    for _start in range(0, count, 1000):
        yield block


def workbook(rows: int, *, blank: bool = False, strings: int = 0) -> bytes:
    """A valid workbook whose first sheet is rewritten, streamed, with `rows` rows under the header."""
    template = Workbook()
    template.active.append(HEADER)
    source = io.BytesIO()
    template.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                compresslevel=9) as bomb:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "[Content_Types].xml" and strings:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                    b'sharedStrings+xml"/></Types>')
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, data)
                continue
            head, tail = re.split(rb"</sheetData>", data.replace(b"<sheetData/>",
                                                                 b"<sheetData></sheetData>"), maxsplit=1)
            head = re.sub(rb'<dimension ref="[^"]*" ?/>', b"", head)
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for chunk in _rows(rows, blank):
                    sheet.write(chunk)
                sheet.write(b"</sheetData>" + tail)
        if strings:
            with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
                table.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                for _start in range(0, strings, 1000):
                    table.write(b"<si><t>ab</t></si>" * 1000)
                table.write(b"</sst>")
    return out.getvalue()


def post(client: Any, data: bytes) -> Any:
    return client.post("/tracker/import", data={"kind": "commitments", "file": (io.BytesIO(data), "f.xlsx")},
                       content_type="multipart/form-data")


def main() -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "TESTING": True,
                      "UPLOAD_FOLDER": tempfile.mkdtemp(),
                      "SECRET_KEY": BENCH_SECRET_KEY})
    files = {"bomb, 1,000,000 rows": workbook(1_000_000),
             "300,000 rows under the size limit": workbook(300_000),
             "300,000 blank rows": workbook(300_000, blank=True),
             "1,700,000 shared strings": workbook(1000, strings=1_700_000)}
    with app.app_context():
        db.create_all()
        fill(1)
        client = app.test_client()
        sign_in(client, "secretary@bench.test", "bench-password")
        client.get("/tracker/import")  # warm up: templates and catalogs load once, not in the first figure
        print(f"{'file':<36} {'size':>8} {'declared':>10} {'status':>6} {'time':>8} {'peak':>9}  answer")
        for name, data in files.items():
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                declared = sum(member.file_size for member in archive.infolist())
            started = time.perf_counter()
            post(client, data)
            elapsed = time.perf_counter() - started
            tracemalloc.start()  # a second upload for memory: tracing slows Python down a few times
            response = post(client, data)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            text = response.get_data(as_text=True)
            answer = re.search(r'class="flash flash-error" role="alert">([^<]+)<', text)
            print(f"{name:<36} {len(data) / 1e6:6.2f}MB {declared / 1e6:8.1f}MB {response.status_code:>6} "
                  f"{elapsed:7.2f}s {peak / 1e6:7.1f}MB  {answer.group(1) if answer else '?'}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
