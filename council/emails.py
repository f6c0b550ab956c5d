"""E-mail rendering and sending: every message has a text and an HTML part, in the recipient's language.

Messages are written straight to their wire format (see "The wire format" below), not through
Flask-Mailman's MIME code nor the standard library's `EmailMessage`: encoded words of at most 75
characters, no fold right after a header's colon, a Date with a numeric zone. Every message is system
mail (`Auto-Submitted: auto-generated`) with a Message-ID in the domain of COUNCIL_BASE_URL.
"""

from __future__ import annotations

import base64
import email.message
import functools
import re
import secrets
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_mailman import EmailMessage
from flask_mailman.backends.smtp import EmailBackend as SMTPBackend
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from council.extensions import mail
from council.timeutil import utcnow

# Headers whose value is an address list or a URL, never words to encode: written as given.
VERBATIM_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")


@dataclass(frozen=True)
class CalendarPart:
    """An iTIP message (RFC 5546) sent with the e-mail: inline for clients that offer to add it, and as
    an invite.ics attachment for the others."""

    data: bytes
    method: str  # REQUEST or CANCEL


def render_email(template: str, language: str, **context: Any) -> tuple[str, str, str]:
    """Render templates/email/<template>/{subject.txt,body.txt,body.html} in `language`.

    The templates are looked up once per process (Jinja keeps them compiled) and rendered without
    Flask's per-call context processors and signals: an e-mail uses none of the page's helpers (the
    reader, the CSRF token, the unread count), and a digest run renders thousands."""
    environment = current_app.jinja_env
    with force_locale(language):
        context = {**context, "gettext": _gettext_of(language)}
        subject, text, html = (environment.get_template(f"email/{template}/{name}").render(context)
                               for name in ("subject.txt", "body.txt", "body.html"))
    return " ".join(subject.split()), text, html


@dataclass(frozen=True)
class Merged:
    """A message rendered once for every reader who gets the same words (a mail merge): each reader's
    own values (their name, their links) are stand-ins until `filled` puts them in, escaped in the HTML
    part as the template would have escaped them."""

    subject: str
    text: str
    html: str
    stand_ins: dict[str, str]

    def filled(self, **values: str) -> tuple[str, str, str]:
        subject, text, html = self.subject, self.text, self.html
        for name, stand_in in self.stand_ins.items():
            subject = subject.replace(stand_in, values[name])
            text = text.replace(stand_in, values[name])
            html = html.replace(stand_in, escape(values[name]))
        return " ".join(subject.split()), text, html


# A stand-in is letters, digits and hyphens, which no escaping changes, with a part drawn at random for
# the process: no reader's text holds it by chance.
_STAND_IN = f"merge-{secrets.token_hex(8)}"


def render_merged(template: str, language: str, personal: tuple[str, ...], **context: Any) -> Merged:
    """Render a message as `render_email` does, with a stand-in for each of the `personal` context
    values; `Merged.filled` writes each reader's copy."""
    stand_ins = {name: f"{_STAND_IN}-{name}-" for name in personal}
    return Merged(*render_email(template, language, **context, **stand_ins), stand_ins=stand_ins)


def _gettext_of(language: str) -> Callable[..., str]:
    """`_()` of the e-mail templates bound to the language's catalogue, found once per process (the
    page's `_()` asks Flask-Babel for the current catalogue at every call: most of a digest's
    rendering). It behaves as Jinja's newstyle gettext: the text escaped in HTML, then filled in."""
    known: dict[str, Callable[..., str]] = current_app.extensions.setdefault("council.email_gettext", {})
    if language not in known:
        lookup = get_translations().ugettext  # inside force_locale(language)

        @pass_context
        def gettext(context: Context, string: str, **variables: Any) -> str:
            text = lookup(string)
            if context.eval_ctx.autoescape:
                text = Markup(text)  # noqa: S704  our own catalogue, as Jinja's gettext does
            return text % variables

        known[language] = gettext
    return known[language]


def mail_domain() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "council.local"


@dataclass(frozen=True)
class Letter:
    """A message ready for the wire: its envelope and its bytes (CRLF line ends)."""

    sender: str  # the envelope's MAIL FROM (the From header's address)
    to: str
    data: bytes


def build_email(to: str, template: str, language: str, headers: dict[str, str] | None = None, *,
                calendar: CalendarPart | None = None, **context: Any) -> Letter:
    """Render a message and write it as it goes on the wire."""
    return write_letter(to, *render_email(template, language, **context), headers=headers,
                        calendar=calendar)


def write_letter(to: str, subject: str, text: str, html: str, *, headers: dict[str, str] | None = None,
                 calendar: CalendarPart | None = None) -> Letter:
    """A rendered message as it goes on the wire."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return Letter(_sender(sender).addr_spec, to, wire_format(
        subject=subject, sender=sender, to=to, text=text, html=html, headers=headers or {},
        calendar=calendar, domain=mail_domain()))


def send_letter(letter: Letter, connection: Any = None) -> None:
    """Hand a built message to the mail backend (through `connection` if given, which the caller
    closes); raises on SMTP failure."""
    if connection is None:
        # Our own connection, closed even when the server refuses (Flask-Mailman's would leak its socket).
        with smtp_connection() as own:
            _send(own, letter)
        return
    _send(connection, letter)


def smtp_connection() -> Any:
    return mail.get_connection(fail_silently=False)


def _send(connection: Any, letter: Letter) -> None:
    for _step in exchange(letter, connection):
        pass


def exchange(letter: Letter, connection: Any) -> Iterator[None]:
    """The SMTP exchange of a built message through `connection`, one command at a time: each step
    writes a command (MAIL FROM with SIZE, RCPT TO, DATA, then the dot-stuffed data: what smtplib's
    `sendmail` sends) and yields; the next step first reads the server's answer to it, raising if the
    server refused. The exchange ends once the data's "250" is read: only then is the message accepted.
    Between steps the caller may do other work (write its next message, advance another session's
    exchange): the server answers meanwhile, and that wait is most of an exchange. Other backends (the
    console in the embedded default) take the message whole at the first step."""
    if not isinstance(connection, SMTPBackend):
        message = _Prebuilt(to=[letter.to], from_email=letter.sender, connection=connection)
        message.data = letter.data
        message.send(fail_silently=False)
        return
    connection.open()
    client: smtplib.SMTP = connection.connection  # the bytes as they are, with no second MIME pass
    client.ehlo_or_helo_if_needed()
    size = f" size={len(letter.data)}" if client.does_esmtp and client.has_extn("size") else ""
    client.putcmd("mail", f"FROM:{_quoted(letter.sender)}{size}")
    yield
    code, answer = client.getreply()
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, letter.sender)
    client.putcmd("rcpt", f"TO:{_quoted(letter.to)}")
    yield
    code, answer = client.getreply()
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({letter.to: (code, answer)})
    client.putcmd("data")
    yield
    code, answer = client.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, answer)
    data = _LEADING_DOT.sub(b"..", letter.data)
    client.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    yield
    code, answer = client.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)


@functools.lru_cache(maxsize=4096)
def _quoted(address: str) -> str:
    """An address as MAIL FROM and RCPT TO write it: smtplib's quoteaddr parses it each time, a tenth of
    the worker's part of an exchange; the sender and the readers of a daily digest come back."""
    return smtplib.quoteaddr(address)


_LEADING_DOT = re.compile(rb"(?m)^\.")  # a line's leading dot doubled (RFC 5321, 4.5.2)


class _Prebuilt(EmailMessage):
    """A Flask-Mailman message whose bytes are already written."""

    data = b""

    def message(self) -> Any:
        return _PrebuiltBytes(self.data)


class _PrebuiltBytes(email.message.Message):
    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    def as_bytes(self, *_args: Any, **_options: Any) -> bytes:
        return self._data

    def as_string(self, *_args: Any, **_options: Any) -> str:
        return self._data.decode("utf-8", "replace")


# The wire format ----------------------------------------------------------------------------------
# Written directly rather than through `email.message.EmailMessage` and its SMTP policy, which parses
# and refolds every header through the header registry and re-encodes every part: most of the cost of
# a digest. What it wrote is kept: encoded words of at most 75 characters and lines of at most 78,
# never a fold right after a header's colon, a Date with a numeric zone, 8bit UTF-8 bodies whose lines
# fit (base64 otherwise), multipart/alternative (text, HTML, the iTIP event) inside multipart/mixed
# when the event is also attached as invite.ics. `tests/notifications/test_wire_format.py` reads the
# result with the standard library's parser.

_LINE = 78
_LONGEST_8BIT_LINE = 998  # RFC 5322, 2.1.1


def wire_format(*, subject: str, sender: str, to: str, text: str, html: str, headers: dict[str, str],
                calendar: CalendarPart | None, domain: str) -> bytes:
    extra = {key.lower(): (key, value) for key, value in headers.items()}
    message_id = extra.pop("message-id", (None, make_msgid(domain=domain)))[1]
    auto = extra.pop("auto-submitted", (None, "auto-generated"))[1]
    lines = [_header("Subject", subject), _address_header("From", sender), _address_header("To", to),
             f"Date: {format_datetime(utcnow())}", _header("Message-ID", message_id),
             _header("Auto-Submitted", auto)]
    for key, value in extra.values():
        lines.append(f"{key}: {value}" if key in VERBATIM_HEADERS else _header(key, value))
    alternatives = [_text_part("plain", text, ()), _text_part("html", html, ())]
    if calendar is not None:
        alternatives.append(_text_part("calendar", calendar.data.decode("utf-8"),
                                       (("method", calendar.method),)))
    body = _multipart("alternative", alternatives)
    if calendar is not None:
        attachment = (b"Content-Type: application/ics\r\nContent-Transfer-Encoding: base64\r\n"
                      b'Content-Disposition: attachment; filename="invite.ics"\r\n\r\n') \
            + _base64(calendar.data)
        body = _multipart("mixed", [body, attachment])
    return ("\r\n".join(lines) + "\r\nMIME-Version: 1.0\r\n").encode("ascii") + body


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_council_{secrets.token_hex(16)}"  # never in base64, 8bit text only by chance of 2^-128
    head = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n\r\n'.encode("ascii")
    separator = f"--{boundary}\r\n".encode("ascii")
    return head + b"".join(separator + part + b"\r\n" for part in parts) \
        + f"--{boundary}--\r\n".encode("ascii")


def _text_part(subtype: str, content: str, params: tuple[tuple[str, str], ...]) -> bytes:
    lines = content.encode("utf-8").splitlines()
    extra = "".join(f'; {name}="{value}"' for name, value in params)
    if max((len(line) for line in lines), default=0) <= _LONGEST_8BIT_LINE:
        encoding = "7bit" if content.isascii() else "8bit"
        data = b"\r\n".join(lines) + b"\r\n"
    else:
        encoding, data = "base64", _base64(b"\r\n".join(lines) + b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"{extra}\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n").encode("ascii") + data


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _header(name: str, value: str) -> str:
    """One header, folded at spaces to lines of at most 78 characters; a value that is not ASCII as
    UTF-8 encoded words (RFC 2047), the first on the header's own line."""
    _no_line_breaks(value)
    if value.isascii():
        return _fold(f"{name}: {value}")
    words: list[str] = []
    start, size, room = 0, 0, min(_LINE - len(name) - 2, 75)
    for index, character in enumerate(value):
        width = len(character.encode("utf-8"))
        if 12 + 4 * -(-(size + width) // 3) > room:  # "=?utf-8?b?" "?=" around the base64
            words.append(_encoded_word(value[start:index]))
            start, size, room = index, 0, 75  # a continuation line: " " and the word
        size += width
    words.append(_encoded_word(value[start:]))
    return f"{name}: " + "\r\n ".join(words)


def _no_line_breaks(value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError("A header value cannot contain a line break.")


def _encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def _fold(line: str) -> str:
    if len(line) <= _LINE:
        return line
    lines, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > _LINE:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\r\n ".join(lines)


def _address_header(name: str, value: str) -> str:
    """An address header as the SMTP policy writes it (cached: the same few From values)."""
    _no_line_breaks(value)
    return _policy_header(name, value) if not value.isascii() or len(value) > 60 else f"{name}: {value}"


@functools.lru_cache(maxsize=256)
def _policy_header(name: str, value: str) -> str:
    return SMTP.fold(name, SMTP.header_factory(name, value)).rstrip("\r\n")


@functools.lru_cache(maxsize=16)
def _sender(value: str) -> Address:
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()("From", value).addresses[0]  # type: ignore[attr-defined]


def sender_address() -> Address:
    """The From address as the header registry reads it (the organizer of calendar invitations)."""
    return _sender(current_app.config["MAIL_DEFAULT_SENDER"])
