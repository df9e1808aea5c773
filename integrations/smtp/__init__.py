"""Plain SMTP delivery for notifications (run summaries)."""

from integrations.smtp.client import MailError, SmtpSettings, send_mail

__all__ = ["MailError", "SmtpSettings", "send_mail"]
