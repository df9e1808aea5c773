"""The SMTP client against a real local server (aiosmtpd) and against a closed port."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from integrations.smtp import MailError, SmtpSettings, send_mail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Sink:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def test_delivers_to_every_recipient() -> None:
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        send_mail(
            SmtpSettings(host="127.0.0.1", port=controller.port, sender="a@test.invalid"),
            ["b@test.invalid", "c@test.invalid"],
            "Subject with ünïcode",
            "Body line\n",
        )
    finally:
        controller.stop()
    assert len(sink.envelopes) == 1
    envelope = sink.envelopes[0]
    assert envelope.mail_from == "a@test.invalid"
    assert envelope.rcpt_tos == ["b@test.invalid", "c@test.invalid"]
    assert b"Body line" in envelope.content


def test_unreachable_server_gives_an_actionable_error() -> None:
    port = _free_port()  # nothing listens here
    with pytest.raises(MailError, match=rf"cannot send mail via 127.0.0.1:{port}"):
        send_mail(
            SmtpSettings(host="127.0.0.1", port=port, timeout_s=2), ["x@test.invalid"], "s", "b"
        )


def test_refuses_to_send_without_recipients() -> None:
    with pytest.raises(MailError, match="no recipients"):
        send_mail(SmtpSettings(host="127.0.0.1"), [], "s", "b")
