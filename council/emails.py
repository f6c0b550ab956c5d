"""E-mail rendering and sending: every message has a text and an HTML part, in the recipient's language.

Messages are built with the standard library's `EmailMessage` and its SMTP policy, not Flask-Mailman's
own MIME code: encoded words of at most 75 characters, no fold right after a header's colon, a Date with
a numeric zone. Every message is system mail (`Auto-Submitted: auto-generated`) with a Message-ID in the
domain of COUNCIL_BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

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
    """Render templates/email/<template>/{subject.txt,body.txt,body.html} in `language`."""
    with force_locale(language):
        subject = render_template(f"email/{template}/subject.txt", **context).strip()
        text = render_template(f"email/{template}/body.txt", **context)
        html = render_template(f"email/{template}/body.html", **context)
    return " ".join(subject.split()), text, html


def mail_domain() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "council.local"


def send_email(to: str, template: str, language: str, headers: dict[str, str] | None = None, *,
               connection: Any = None, calendar: CalendarPart | None = None, **context: Any) -> None:
    """Render and send at once; raises on SMTP failure so the caller (a task) can retry.

    With `connection` (an open one, see `smtp_connection`) the caller closes it, after recording that
    the message went; without, one is opened and closed here."""
    subject, text, html = render_email(template, language, **context)
    if connection is not None:
        _send(connection, to, subject, text, html, headers, calendar)
        return
    # Our own connection, closed even when the server refuses (Flask-Mailman's would leak its socket).
    with smtp_connection() as own:
        _send(own, to, subject, text, html, headers, calendar)


def smtp_connection() -> Any:
    return mail.get_connection(fail_silently=False)


def _send(connection: Any, to: str, subject: str, text: str, html: str,
          headers: dict[str, str] | None, calendar: CalendarPart | None) -> None:
    message = CouncilEmail(subject=subject, body=text, to=[to], headers=headers or {},
                           from_email=current_app.config["MAIL_DEFAULT_SENDER"], connection=connection)
    message.attach_alternative(html, "text/html")
    message.calendar = calendar
    message.domain = mail_domain()
    message.send(fail_silently=False)


class _Verbatim(str):
    """A header value the policy writes as it is (a URL in angle brackets must not become encoded
    words, which is what folding does to a long unbroken value)."""

    name: str

    def __new__(cls, name: str, value: str) -> _Verbatim:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


class _StandardMessage(EmailMessage):
    """Flask-Mailman's SMTP backend calls `as_bytes(linesep=…)`; the standard library takes a policy."""

    def as_bytes(self, unixfrom: bool = False, policy: Any = None, linesep: str | None = None) -> bytes:
        policy = policy or self.policy
        if linesep is not None:
            policy = policy.clone(linesep=linesep)
        return super().as_bytes(unixfrom=unixfrom, policy=policy)


class CouncilEmail(EmailMultiAlternatives):
    calendar: CalendarPart | None = None
    domain: str = "council.local"

    def message(self) -> EmailMessage:
        message = _StandardMessage(policy=SMTP)
        message["Subject"] = self.subject
        message["From"] = self.from_email
        message["To"] = ", ".join(self.to)
        message["Date"] = format_datetime(utcnow())
        extra = {key.lower(): (key, value) for key, value in self.extra_headers.items()}
        message["Message-ID"] = extra.pop("message-id", (None, make_msgid(domain=self.domain)))[1]
        message["Auto-Submitted"] = extra.pop("auto-submitted", (None, "auto-generated"))[1]
        for key, value in extra.values():
            message[key] = _Verbatim(key, value) if key in VERBATIM_HEADERS else value
        message.set_content(self.body)
        for content, mimetype in self.alternatives:
            _maintype, subtype = mimetype.split("/", 1)
            message.add_alternative(content, subtype=subtype)
        if self.calendar is not None:
            text = self.calendar.data.decode("utf-8")
            message.add_alternative(text, subtype="calendar", params={"method": self.calendar.method})
            message.add_attachment(self.calendar.data, maintype="application", subtype="ics",
                                   filename="invite.ics")
        return message


def sender_address() -> Address:
    """The From address as the header registry reads it (the organizer of calendar invitations)."""
    from email.headerregistry import HeaderRegistry

    header = HeaderRegistry()("From", current_app.config["MAIL_DEFAULT_SENDER"])
    return header.addresses[0]  # type: ignore[attr-defined]
