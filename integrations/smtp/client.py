"""Send a plain-text e-mail over SMTP (optional STARTTLS and login)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "video-archive@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout_s: float = 30.0


def send_mail(settings: SmtpSettings, recipients: Sequence[str], subject: str, body: str) -> None:
    """Deliver one message to every recipient; MailError with the server's reason on failure."""
    if not recipients:
        raise MailError("no recipients given")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot send mail via {settings.host}:{settings.port}: {exc}") from exc
