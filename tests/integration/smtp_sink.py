"""A real SMTP server on loopback (aiosmtpd) that keeps every mail it receives, for the mail tests."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class SmtpSink:
    """Collects mails; `refuse` makes the server answer 451 (a temporary failure) to every message."""

    mails: list[Received] = field(default_factory=list)
    refuse: bool = False
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        if self.refuse:
            return "451 Requested action aborted: try again later"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.mails.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.mails if address in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until at least `count` mails arrived (the server side may lag a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.mails) >= count:
                    return list(self.mails)
            time.sleep(0.02)
        with self._lock:
            return list(self.mails)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(sink: SmtpSink) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    return controller, port


def closed_port() -> int:
    """A loopback port where nothing listens (connection refused)."""
    return free_port()
