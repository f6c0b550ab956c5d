"""The report as a PDF for sending (fpdf2, pure Python): the DejaVu fonts that matplotlib ships, which
have every letter of Russian, Kazakh and Turkmen; a running header, page numbers, a contents page with
the sections' pages, tables whose heading row repeats on every page, and two languages side by side."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from council.reports.compose import Chart, Document, Heading, Table, Text, write_blocks

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
HEADING_SIZES = {0: 20, 1: 14, 2: 12, 3: 10.5}
BODY_SIZE = 9
TABLE_SIZE = 8
HEADING_FILL = (223, 227, 230)
SECOND_LANGUAGE = (80, 90, 95)
# fpdf2 subsets the fonts through fontTools, which logs every table it touches at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class _PDF(FPDF):
    def __init__(self, running_header: str, orientation: str) -> None:
        super().__init__(orientation=orientation, format="A4")
        self.running_header = running_header
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 7)
        self.set_text_color(*SECOND_LANGUAGE)
        self.cell(0, 5, self.running_header, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.cell(0, 8, f"{self.page_no()} / {{nb}}", align="C")


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.languages = document.languages
        bilingual = len(self.languages) > 1
        self.pdf = _PDF("  |  ".join(document.title[lang] for lang in self.languages),
                        "landscape" if bilingual else "portrait")
        self.pdf.set_title(document.title[self.languages[0]])
        self.pdf.set_creator("Council")

    def _style(self, level: int | None, emphasis: bool) -> tuple[str, float]:
        if level is not None:
            return "B", HEADING_SIZES[level]
        return ("I" if emphasis else ""), BODY_SIZE

    def text(self, text: Text, *, level: int | None = None, emphasis: bool = False,
             align: str = "LEFT") -> None:
        pdf = self.pdf
        style, size = self._style(level, emphasis)
        if level == 1:
            pdf.start_section(" / ".join(text[lang] for lang in self.languages))
        if level is not None:
            pdf.ln(2)
        pdf.set_font(FONT, style, size)
        line = size * 0.5
        if len(self.languages) == 1:
            pdf.multi_cell(0, line, text[self.languages[0]], align=align[0], new_x="LMARGIN", new_y="NEXT")
        else:
            with pdf.table(borders_layout="NONE", first_row_as_headings=False, line_height=line,
                           text_align=align, padding=(0.5, 2)) as grid:
                row = grid.row()
                for language in self.languages:
                    row.cell(text[language])
        if level is not None:
            pdf.ln(1)

    def table(self, table: Table) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "", TABLE_SIZE)
        joined = "\n".join
        with pdf.table(col_widths=table.widths, line_height=TABLE_SIZE * 0.5, repeat_headings=1,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
                       text_align="LEFT", padding=1) as grid:
            heading = grid.row()
            for text in table.headers:
                heading.cell(joined(text[lang] for lang in self.languages))
            for cells in table.rows:
                row = grid.row()
                for text in cells:
                    row.cell(joined(dict.fromkeys(text[lang] for lang in self.languages)))
        pdf.ln(3)

    def chart(self, chart: Chart) -> None:
        pdf = self.pdf
        width = 120
        if pdf.get_y() + width * 2.2 / 6 > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(io.BytesIO(chart.png), w=width)
        self.text(chart.caption, emphasis=True)

    def contents(self, pdf: Any, outline: list[Any]) -> None:
        """The contents page, written once every section's page is known."""
        pdf.set_xy(pdf.l_margin, pdf.t_margin + 10)
        pdf.set_font(FONT, "B", HEADING_SIZES[1])
        pdf.multi_cell(0, 8, " / ".join(self.document.contents_title[lang] for lang in self.languages),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(FONT, "", BODY_SIZE + 1)
        for number, section in enumerate(outline, start=1):
            pdf.cell(pdf.epw - 20, 7, f"{number}. {section.name}")
            pdf.cell(20, 7, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")


def write_pdf(document: Document) -> bytes:
    writer = _Writer(document)
    pdf = writer.pdf
    pdf.add_page()
    pdf.ln(40)
    for line in document.cover:
        if isinstance(line, Heading):
            writer.text(line.text, level=line.level, align="CENTER")
        else:
            writer.text(line.text, emphasis=line.emphasis, align="CENTER")
        pdf.ln(3)
    pdf.add_page()
    pdf.insert_toc_placeholder(writer.contents, pages=1)
    write_blocks(writer, document.blocks)
    return bytes(pdf.output())
