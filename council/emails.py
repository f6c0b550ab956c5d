"""E-mail rendering: every message has a text and an HTML part, in the recipient's language."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

from council.extensions import mail


def render_email(template: str, language: str, **context: Any) -> tuple[str, str, str]:
    """Render templates/email/<template>/{subject.txt,body.txt,body.html} in `language`."""
    with force_locale(language):
        subject = render_template(f"email/{template}/subject.txt", **context).strip()
        text = render_template(f"email/{template}/body.txt", **context)
        html = render_template(f"email/{template}/body.html", **context)
    return " ".join(subject.split()), text, html


def send_email(to: str, template: str, language: str, headers: dict[str, str] | None = None, *,
               connection: Any = None, **context: Any) -> None:
    """Render and send at once; raises on SMTP failure so the caller (a task) can retry.

    With `connection` (an open one, see `smtp_connection`) the caller closes it, after recording that
    the message went; without, one is opened and closed here."""
    subject, text, html = render_email(template, language, **context)
    if connection is not None:
        _send(connection, to, subject, text, html, headers)
        return
    # Our own connection, closed even when the server refuses (Flask-Mailman's would leak its socket).
    with smtp_connection() as own:
        _send(own, to, subject, text, html, headers)


def smtp_connection() -> Any:
    return mail.get_connection(fail_silently=False)


def _send(connection: Any, to: str, subject: str, text: str, html: str,
          headers: dict[str, str] | None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers or {},
                                     from_email=current_app.config["MAIL_DEFAULT_SENDER"],
                                     connection=connection)
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
