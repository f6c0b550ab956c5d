"""The report as a document in one or two languages: headings, paragraphs, tables and charts, each
text already written in every chosen language. The DOCX and PDF writers lay out the same blocks, so
both documents say the same thing.

A text is {language: text}. Interface words come from the catalog in each language in turn; a record's
text not yet in a language shows its original with the usual "[not translated yet: …]" marker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import g
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from council.formatting import format_date, format_datetime, percent
from council.i18n import Translations, marked_localized
from council.reports.charts import indicator_chart
from council.reports.content import MEASURES, Capped, GroupSection, ReportData
from council.tracker.units import format_figure, unit_label

Text = dict[str, str]


@dataclass
class Heading:
    text: Text
    level: int  # 1: a section (listed in the contents), 2 and 3 within it


@dataclass
class Paragraph:
    text: Text
    emphasis: bool = False


@dataclass
class Table:
    headers: list[Text]
    rows: list[list[Text]]
    widths: list[int]  # relative


@dataclass
class Chart:
    png: bytes
    caption: Text


@dataclass
class Document:
    languages: list[str]
    title: Text  # the running header
    cover: list[Heading | Paragraph]
    contents_title: Text
    blocks: list[Heading | Paragraph | Table | Chart] = field(default_factory=list)

    @property
    def sections(self) -> list[Text]:
        return [block.text for block in self.blocks if isinstance(block, Heading) and block.level == 1]


class BlockWriter(Protocol):
    """What each file format (docx_writer, pdf_writer) does with each kind of block."""

    def text(self, text: Text, *, level: int | None = None, emphasis: bool = False) -> None: ...
    def table(self, table: Table) -> None: ...
    def chart(self, chart: Chart) -> None: ...


def write_blocks(writer: BlockWriter, blocks: list[Heading | Paragraph | Table | Chart]) -> None:
    """The report's body, block by block, in the writer's format."""
    for block in blocks:
        if isinstance(block, Heading):
            writer.text(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            writer.text(block.text, emphasis=block.emphasis)
        elif isinstance(block, Table):
            writer.table(block)
        else:
            writer.chart(block)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    # Flask-Babel forces a locale only when `g` holds something: in a worker's fresh context it may not.
    g.council_report = True
    with force_locale(language):
        yield


class Writer:
    def __init__(self, languages: list[str]) -> None:
        self.languages = languages

    def say(self, make: Callable[..., Any], *args: Any) -> Text:
        """Interface text in every chosen language: make(*args), once in each."""
        said = {}
        for language in self.languages:
            with speaking(language):
                said[language] = str(make(*args))
        return said

    def same(self, value: str) -> Text:
        return dict.fromkeys(self.languages, value)


def _local(writer: Writer, texts: Translations | None, original: str | None) -> Text:
    said = {}
    for language in writer.languages:
        with speaking(language):
            said[language] = marked_localized(texts, original, language)
    return said


def _period(writer: Writer, data: ReportData) -> Text:
    return writer.say(lambda: _("%(start)s – %(end)s", start=format_date(data.period.start, "long"),
                                end=format_date(data.period.end, "long")))


def _label(status: Any) -> str:
    return str(status.label)


def _date(day: Any) -> str:
    return str(format_date(day)) if day else "—"


def _number(writer: Writer, value: int) -> Text:
    return writer.say(format_decimal, value)


def _change(writer: Writer, now: int, before: int) -> Text:
    difference = now - before
    return writer.say(lambda: ("+" if difference > 0 else "") + format_decimal(difference) if difference
                      else "0")


MEASURE_LABELS: dict[str, Callable[[], str]] = {
    "recommendations": lambda: _("Recommendations made"),
    "commitments": lambda: _("Commitments taken on"),
    "reports": lambda: _("Progress updates on commitments"),
    "verified": lambda: _("Commitments verified"),
    "due": lambda: _("Commitments due in the period"),
    "overdue": lambda: _("Of these, overdue"),
    "meetings": lambda: _("Meetings held"),
    "milestones": lambda: _("Milestones reached"),
}


def _more(writer: Writer, capped: Capped[Any]) -> list[Paragraph]:
    if not capped.more:
        return []
    return [Paragraph(writer.say(lambda: _("…and %(count)s more: see the tracker.",
                                           count=format_decimal(capped.more))), emphasis=True)]


def _none(writer: Writer, make: Callable[[], str]) -> Paragraph:
    return Paragraph(writer.say(make), emphasis=True)


def _cover(writer: Writer, data: ReportData, number: int) -> list[Heading | Paragraph]:
    scope = _local(writer, data.group.name, data.group.original_language) if data.group is not None \
        else writer.say(lambda: _("The whole council"))
    mark = writer.say(lambda: _("FINAL") if data.final else _("DRAFT"))
    return [
        Paragraph(_local(writer, data.council.name, data.council.original_language), emphasis=True),
        Heading(writer.say(lambda: _("Progress report")), 0),
        Paragraph(scope),
        Paragraph(_period(writer, data)),
        Paragraph(writer.say(lambda: _("Generated on %(when)s, version %(number)d",
                                       when=format_datetime(data.generated_at, "medium"), number=number))),
        *([Paragraph(writer.say(lambda: _("Public records only")))] if data.public else []),
        Paragraph(mark, emphasis=True),
    ]


def _summary(writer: Writer, data: ReportData) -> list[Any]:
    blocks: list[Any] = [Heading(writer.say(lambda: _("Summary of the period")), 1)]
    if data.empty:
        blocks.append(Paragraph(writer.say(lambda: _("Nothing was recorded in this period.")), emphasis=True))
    blocks.append(Paragraph(writer.say(lambda: _(
        "The previous period is %(start)s – %(end)s.", start=format_date(data.previous.start, "long"),
        end=format_date(data.previous.end, "long")))))
    rows = [[writer.say(MEASURE_LABELS[key]), _number(writer, data.summary[key]),
             _number(writer, data.previous_summary[key]),
             _change(writer, data.summary[key], data.previous_summary[key])] for key in MEASURES]
    blocks.append(Table([writer.say(lambda: _("Measure")), writer.say(lambda: _("This period")),
                         writer.say(lambda: _("Previous period")), writer.say(lambda: _("Difference"))],
                        rows, [5, 2, 2, 2]))
    return blocks


def _group(writer: Writer, section: GroupSection) -> list[Any]:
    group = section.group
    blocks: list[Any] = [Heading(_local(writer, group.name, group.original_language), 2),
                         Heading(writer.say(lambda: _("Recommendations")), 3)]
    if section.recommendations.rows:
        blocks.append(Table(
            [writer.say(lambda: _("Code")), writer.say(lambda: _("Recommendation")),
             writer.say(lambda: _("Status")), writer.say(lambda: _("Progress"))],
            [[writer.same(r.code), _local(writer, r.title, r.original_language),
              writer.say(_label, r.status), writer.say(percent, r.progress)]
             for r in section.recommendations.rows], [2, 6, 2, 2]))
        blocks.extend(_more(writer, section.recommendations))
    else:
        blocks.append(_none(writer, lambda: _("No recommendations.")))
    blocks.append(Heading(writer.say(lambda: _("Commitments by side")), 3))
    blocks.append(Table(
        [writer.say(lambda: _("Side")), writer.say(lambda: _("Commitments")),
         writer.say(lambda: _("Verified")), writer.say(lambda: _("Open")), writer.say(lambda: _("Overdue")),
         writer.say(lambda: _("Average progress"))],
        [[_local(writer, side.country.name, None), _number(writer, side.tally.total),
          _number(writer, side.tally.done), _number(writer, side.tally.open),
          _number(writer, side.tally.overdue), writer.say(percent, side.tally.progress)]
         for side in section.sides], [4, 2, 2, 2, 2, 2]))
    lagging = section.lagging
    if lagging is not None:
        ahead = max(side.tally.progress or 0 for side in section.sides)
        blocks.append(Paragraph(writer.say(lambda: _(
            "Lagging side: %(side)s (average progress %(behind)s against %(ahead)s).",
            side=marked_localized(lagging.country.name, None), behind=percent(lagging.tally.progress),
            ahead=percent(ahead))), emphasis=True))
    blocks.append(Heading(writer.say(lambda: _("Overdue commitments")), 3))
    if section.overdue.rows:
        blocks.append(Table(
            [writer.say(lambda: _("Code")), writer.say(lambda: _("Organisation")),
             writer.say(lambda: _("Due date")), writer.say(lambda: _("Days late"))],
            [[writer.same(c.code), _local(writer, c.organisation.name, c.organisation.original_language),
              writer.say(format_date, c.due_date), _number(writer, days)]
             for c, days in section.overdue.rows], [3, 5, 2, 2]))
        blocks.extend(_more(writer, section.overdue))
    else:
        blocks.append(_none(writer, lambda: _("No overdue commitments.")))
    blocks.append(Heading(writer.say(lambda: _("Verified in the period")), 3))
    if section.verified.rows:
        blocks.append(Table(
            [writer.say(lambda: _("Code")), writer.say(lambda: _("Organisation")),
             writer.say(lambda: _("Verified on"))],
            [[writer.same(c.code), _local(writer, c.organisation.name, c.organisation.original_language),
              writer.say(_date, c.verified_at)]
             for c in section.verified.rows], [3, 6, 3]))
        blocks.extend(_more(writer, section.verified))
    else:
        blocks.append(_none(writer, lambda: _("Nothing was verified in this period.")))
    return blocks


def _indicators(writer: Writer, data: ReportData) -> list[Any]:
    blocks: list[Any] = [Heading(writer.say(lambda: _("Indicators")), 1)]
    if not data.indicators:
        return [*blocks, _none(writer, lambda: _("No indicators."))]
    caption = writer.say(lambda: _("Dashed lines: the baseline (grey) and the target (green)."))
    for indicator in data.indicators:
        unit = indicator.unit
        blocks.append(Heading({lang: f"{indicator.code} · {text}" for lang, text in
                               _local(writer, indicator.name, indicator.original_language).items()}, 3))
        shown = [o for o in indicator.observations if o.observed_on <= data.period.end][:3]
        rows = [[writer.say(lambda: _("Baseline")),
                 writer.say(_date, indicator.baseline_date),
                 writer.say(format_figure, indicator.baseline_value, unit)],
                [writer.say(lambda: _("Target")),
                 writer.say(_date, indicator.target_date),
                 writer.say(format_figure, indicator.target_value, unit)]]
        rows += [[writer.say(lambda: _("Observed")), writer.say(format_date, o.observed_on),
                  writer.say(format_figure, o.value, unit)] for o in shown]
        blocks.append(Table([writer.say(lambda: _("Figure")), writer.say(lambda: _("Date")),
                             writer.say(unit_label, unit)], rows, [4, 4, 4]))
        png = indicator_chart(indicator, data.period.end)
        if png is not None:
            blocks.append(Chart(png, caption))
    return blocks


def _meetings(writer: Writer, data: ReportData) -> list[Any]:
    blocks: list[Any] = [Heading(writer.say(lambda: _("Meetings held")), 1)]
    if not data.meetings:
        return [*blocks, _none(writer, lambda: _("No meetings were held in this period."))]
    for meeting in data.meetings:
        title = _local(writer, meeting.title, meeting.original_language)
        when = writer.say(format_date, meeting.starts_at, "long")
        blocks.append(Heading({lang: f"{meeting.reference} · {title[lang]} · {when[lang]}"
                               for lang in writer.languages}, 3))
        if meeting.decisions:
            blocks.append(Table([writer.say(lambda: _("No.")), writer.say(lambda: _("Decision"))],
                                [[writer.same(str(d.number)), _local(writer, d.text, d.original_language)]
                                 for d in meeting.decisions], [1, 11]))
        else:
            blocks.append(_none(writer, lambda: _("No decisions recorded.")))
    return blocks


def _initiatives(writer: Writer, data: ReportData) -> list[Any]:
    blocks: list[Any] = [Heading(writer.say(lambda: _("Initiatives")), 1)]
    if not data.initiatives:
        return [*blocks, _none(writer, lambda: _("No initiatives."))]

    def milestones(items: list[Any]) -> Text:
        if not items:
            return writer.same("—")
        texts = [_local(writer, m.title, m.original_language) for m in items]
        dates = [writer.say(_date, m.completed_on or m.due_date) for m in items]
        return {lang: "\n".join(f"{text[lang]} ({day[lang]})" for text, day in zip(texts, dates, strict=True))
                for lang in writer.languages}

    rows = [[_local(writer, row.initiative.name, row.initiative.original_language),
             writer.say(percent, row.initiative.progress),
             milestones(row.reached), milestones(row.due)] for row in data.initiatives]
    blocks.append(Table([writer.say(lambda: _("Initiative")), writer.say(lambda: _("Progress")),
                         writer.say(lambda: _("Milestones reached")),
                         writer.say(lambda: _("Milestones due"))], rows, [4, 2, 3, 3]))
    return blocks


def compose(data: ReportData, languages: list[str], number: int) -> Document:
    """The report's document in `languages` (one, or two side by side)."""
    writer = Writer(languages)
    council = _local(writer, data.council.name, data.council.original_language)
    report = writer.say(lambda: _("Progress report"))
    period = _period(writer, data)
    mark = writer.say(lambda: _("FINAL") if data.final else _("DRAFT"))
    document = Document(languages=languages,
                        title={lang: f"{council[lang]} · {report[lang]} · {period[lang]} · {mark[lang]}"
                               for lang in languages},
                        cover=_cover(writer, data, number), contents_title=writer.say(lambda: _("Contents")))
    document.blocks.extend(_summary(writer, data))
    document.blocks.append(Heading(writer.say(lambda: _("Working groups")), 1))
    for section in data.groups:
        document.blocks.extend(_group(writer, section))
    if not data.groups:
        document.blocks.append(_none(writer, lambda: _("No working groups.")))
    document.blocks.extend(_indicators(writer, data))
    document.blocks.extend(_meetings(writer, data))
    document.blocks.extend(_initiatives(writer, data))
    return document
