"""The report as a DOCX the secretariat can still edit (python-docx): Word's own heading styles, a running
header, page numbers, tables whose heading row repeats on every page, and the two languages of a
bilingual report side by side (text in two columns, tables with both languages in each cell)."""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.document import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from council.reports.compose import Chart, Document, Heading, Table, Text, write_blocks

FONT = "Arial"  # Word's and LibreOffice's Arial both have the Kazakh and Turkmen letters
SECOND_LANGUAGE = RGBColor(0x50, 0x5a, 0x5f)
HEADING_SIZES = {0: 22, 1: 15, 2: 13, 3: 11}


def _field(paragraph: DocxParagraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in as they lay out the pages."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _repeat_heading(table: DocxTable) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _texts(paragraph: DocxParagraph, text: Text, languages: list[str], *, bold: bool = False,
           size: float | None = None) -> None:
    """One language per line; a second language in grey."""
    for index, language in enumerate(languages):
        if index:
            paragraph.add_run().add_break()
        run = paragraph.add_run(text.get(language, ""))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if index:
            run.font.color.rgb = SECOND_LANGUAGE


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.languages = document.languages
        self.docx: Docx = new_docx()
        self.pair: DocxTable | None = None  # the two-column table of a bilingual run of text
        style = self.docx.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(10)
        for level in range(4):
            heading = self.docx.styles["Title" if level == 0 else f"Heading {level}"]
            heading.font.name = FONT

    def page_setup(self) -> None:
        section = self.docx.sections[0]
        if len(self.languages) > 1:  # two columns of text read better across the page
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(29.7), Cm(21)
        else:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
        for margin in ("left_margin", "right_margin"):
            setattr(section, margin, Cm(2))
        header = section.header.paragraphs[0]
        header.text = "  |  ".join(self.document.title[lang] for lang in self.languages)
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.runs[0].font.size = Pt(8)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(footer, "PAGE")
        footer.add_run(" / ")
        _field(footer, "NUMPAGES")

    def text(self, text: Text, *, level: int | None = None, emphasis: bool = False,
             centred: bool = False) -> None:
        if len(self.languages) == 1:
            language = self.languages[0]
            if level is not None:
                paragraph = self.docx.add_heading(text[language], level)
            else:
                paragraph = self.docx.add_paragraph()
                paragraph.add_run(text[language]).italic = emphasis
            if centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            return
        if self.pair is None:
            self.pair = self.docx.add_table(rows=0, cols=len(self.languages))
        cells = self.pair.add_row().cells
        for cell, language in zip(cells, self.languages, strict=True):
            paragraph = cell.paragraphs[0]
            if level is not None:
                paragraph.style = self.docx.styles["Title" if level == 0 else f"Heading {level}"]
            run = paragraph.add_run(text[language])
            run.italic = emphasis
            if centred:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def end_text(self) -> None:
        self.pair = None

    def table(self, table: Table) -> None:
        self.end_text()
        grid = self.docx.add_table(rows=1, cols=len(table.headers))
        grid.style = self.docx.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
            _texts(cell.paragraphs[0], header, self.languages, bold=True, size=9)
        _repeat_heading(grid)
        for row in table.rows:
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                _texts(cell.paragraphs[0], text, self.languages, size=9)
        self.docx.add_paragraph()

    def chart(self, chart: Chart) -> None:
        self.end_text()
        self.docx.add_picture(io.BytesIO(chart.png), width=Cm(14))
        self.text(chart.caption, emphasis=True)
        self.end_text()

    def page_break(self) -> None:
        self.end_text()
        self.docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def write_docx(document: Document) -> bytes:
    writer = _Writer(document)
    writer.page_setup()
    for line in document.cover:
        if isinstance(line, Heading):
            writer.text(line.text, level=line.level, centred=True)
        else:
            writer.text(line.text, emphasis=line.emphasis, centred=True)
    writer.page_break()
    writer.text(document.contents_title, level=1)
    for number, section in enumerate(document.sections, start=1):
        writer.text({lang: f"{number}. {text}" for lang, text in section.items()})
    writer.page_break()
    write_blocks(writer, document.blocks)
    buffer = io.BytesIO()
    writer.docx.save(buffer)
    return buffer.getvalue()
