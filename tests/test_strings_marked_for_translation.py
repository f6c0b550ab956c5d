"""Human text in templates and in the Python that talks to people goes through gettext.

Templates: the text between tags (outside {{ }} and {% %}) and the readable attributes (aria-label,
title, placeholder, alt) must not hold a literal word; e-mail .txt templates likewise. Python: what
reaches a person from flash(), from a DomainError (ValidationFailed, Conflict, …), from a form
field's label or description, and from render_template's `title=` must be a gettext call (or a value
that already is one), never a literal string, an f-string or a concatenation.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))
PYTHON = sorted((ROOT / "council").rglob("*.py"))

WORD = re.compile(r"[A-Za-z]{2,}")
# Text a template may hold as is: symbols and codes that read the same in every language.
ALLOWED_TEXT = frozenset({"API", "CSV", "XLSX", "PDF", "ICS", "JSON", "UTC", "RU", "KK", "TK", "EN",
                          "iCal", "OpenAPI", "Swagger", "UI"})
FILE_NAME = re.compile(r"\b[\w-]+\.(json|csv|xlsx|ics)\b")
READABLE = frozenset({"aria-label", "title", "placeholder", "alt"})


HOLE = "\x00"  # where a {{ }} or {% %} stood: neither text nor markup


def _without_jinja(source: str) -> str:
    """The template with every Jinja construct replaced by HOLE and {% trans %} blocks (extracted as
    they are) emptied, so an HTML parser sees the literal text and attributes."""
    env = Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701  parses templates, renders nothing to a browser
    out: list[str] = []
    in_trans = False
    tag_name_next = False
    for _line, token, value in env.lex(source):
        if token == "data":
            out.append(HOLE if in_trans else value)
            continue
        if token == "block_begin":
            tag_name_next = True
        elif tag_name_next and token == "name":
            tag_name_next = False
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if token in {"block_begin", "variable_begin", "comment_begin"}:
            # A block inside a tag (<tr{% if … %} class="…"{% endif %}>) must leave the tag whole.
            out.append(" " if token != "variable_begin" else HOLE)
    return "".join(out)


class _LiteralText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip += 1
        for name, value in attrs:
            if name in READABLE and value:
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.found.append((self.getpos()[0], data))


def _template_text(source: str, is_html: bool) -> list[tuple[int, str]]:
    """(line, text) of what a reader would see literally: text nodes and readable attributes."""
    text = _without_jinja(source)
    if not is_html:
        return [(number, line) for number, line in enumerate(text.splitlines(), 1)]
    parser = _LiteralText()
    parser.feed(text)
    parser.close()
    return [(line, value.replace(HOLE, " ")) for line, value in parser.found]


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(FILE_NAME.sub(" ", text)) if w not in ALLOWED_TEXT]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_text_is_marked_for_translation(path):
    source = path.read_text(encoding="utf-8")
    problems = [f"line {line}: {' '.join(text.split())!r}"
                for line, text in _template_text(source, path.suffix == ".html") if _words(text)]
    assert not problems, f"{path.name}: wrap in {{{{ _('…') }}}}:\n" + "\n".join(problems)


# Python -------------------------------------------------------------------------------------------

GETTEXT = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext",
                     "lazy_pgettext", "npgettext"})
DOMAIN_ERRORS = frozenset({"DomainError", "ValidationFailed", "NotAllowed", "NotFound", "Conflict"})


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literal_text(node: ast.expr | None) -> bool:
    """A string a person would read that no gettext call produced."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and WORD.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
        return False
    if isinstance(node, ast.Call) and _name(node.func) == "format" and isinstance(node.func, ast.Attribute):
        return _literal_text(node.func.value)
    return False


def _unextractable(call: ast.Call) -> bool:
    """_(f"…") or _("a" + b): Babel cannot extract it, so it is never translated."""
    name = _name(call.func)
    if name not in GETTEXT or not isinstance(call.func, ast.Name):
        return False
    texts = call.args[1:3] if name in {"pgettext", "lazy_pgettext", "npgettext"} else call.args[:2]
    return any(not (isinstance(arg, ast.Constant) and isinstance(arg.value, str))
               for arg in texts[:2 if "n" in name[:2] or name.startswith("lazy_n") else 1])


def _checked_arguments(call: ast.Call) -> list[tuple[str, ast.expr | None]]:
    name = _name(call.func)
    first = call.args[0] if call.args else None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name == "flash":
        return [("flash()", first)]
    if name in DOMAIN_ERRORS:
        return [(f"{name}()", first or keywords.get("message"))]
    if name.endswith("Field") and name[0].isupper():
        return [(f"{name}(label)", first or keywords.get("label")),
                (f"{name}(description)", keywords.get("description"))]
    if name == "render_template":
        return [("render_template(title=)", keywords.get("title")),
                ("render_template(message=)", keywords.get("message"))]
    return []


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_messages_go_through_gettext(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _unextractable(node):
            problems.append(f"line {node.lineno}: {ast.unparse(node)[:80]} cannot be extracted")
        for what, argument in _checked_arguments(node):
            if _literal_text(argument):
                problems.append(f"line {node.lineno}: {what} gets {ast.unparse(argument)[:80]}")  # type: ignore[arg-type]
    assert not problems, f"{path.name}: wrap in _() / _l():\n" + "\n".join(problems)


def test_the_checks_see_a_literal():
    """The checks themselves: a literal is caught, a gettext call or a variable is not."""
    source = ("flash('Saved'); flash(_('Saved')); flash(error.message); raise Conflict(f'No {x}')\n"
              "StringField('Name'); StringField(_l('Name'), description='Hint'); "
              "ValidationFailed(_('Bad %(x)s') % {'x': 1})")
    problems = [what for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                for what, argument in _checked_arguments(node) if _literal_text(argument)]
    assert problems == ["flash()", "Conflict()", "StringField(label)", "StringField(description)"]
    text = _template_text('<p>{{ _("Hi") }} Hello</p><tr{% if x %} class="a"{% endif %} title="Open">'
                          '{% trans %}Kept{% endtrans %}', is_html=True)
    assert sorted(w for _, t in text for w in _words(t)) == ["Hello", "Open"]
