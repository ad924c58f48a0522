"""Helpers for the outbox tests: mail backends that fail, hang or watch, a silent server."""

from __future__ import annotations

import smtplib
import socket
import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import timezone

KIND = "test_outbox_reliability"


class Outage:
    """The mail server is down until ``until`` (on the test's clock)."""

    until = None
    connections = 0


class OutageBackend(LocmemBackend):
    """Delivers to Django's test outbox, except while ``Outage.until`` is in the future."""

    def open(self):
        Outage.connections += 1
        if Outage.until is not None and timezone.now() < Outage.until:
            raise ConnectionRefusedError(111, "Connection refused")
        return False

    def send_messages(self, messages):
        self.open()
        return super().send_messages(messages)


class RejectingBackend(BaseEmailBackend):
    """The server refuses the recipient for good (a 5xx)."""

    def send_messages(self, messages):
        recipient = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, b"5.1.1 no such user")})


class GreylistingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        recipient = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (451, b"4.7.1 try again later")})


class Watch:
    """What the watching backend saw: Message-IDs and whether a transaction was open."""

    message_ids: list[str] = []
    in_transaction: list[bool] = []
    fail_next = 0
    gate: threading.Event | None = None


class WatchingBackend(LocmemBackend):
    def send_messages(self, messages):
        Watch.in_transaction.append(transaction.get_connection().in_atomic_block)
        Watch.message_ids.extend(m.extra_headers.get("Message-ID", "") for m in messages)
        if Watch.gate is not None:
            assert Watch.gate.wait(timeout=20), "the test never opened the gate"
        if Watch.fail_next:
            Watch.fail_next -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


class SilentServer:
    """Accepts TCP connections and never says a word (a hung SMTP server)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()
