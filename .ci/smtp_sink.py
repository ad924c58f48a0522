#!/usr/bin/env python3
"""A local SMTP sink for the CI smoke and fault tests (standard library only).

Accepts every message and appends one JSON line per message to --log: its Message-ID,
recipients, subject and arrival time. Only ever listens on 127.0.0.1.

    python .ci/smtp_sink.py --port 2525 --log /tmp/sink.jsonl
"""

import argparse
import email
import json
import socketserver
import threading
import time
from email.policy import default as default_policy

LOCK = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 sink ESMTP ready")
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "NOOP", "RSET", "MAIL"):
                if verb == "RSET":
                    recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                time.sleep(self.server.delay)
                message = email.message_from_bytes(b"".join(lines), policy=default_policy)
                self.server.record(
                    {
                        "message_id": str(message.get("Message-ID", "")),
                        "to": recipients,
                        "subject": str(message.get("Subject", "")),
                        "at": time.time(),
                    }
                )
                recipients = []
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, log: str, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.log = log
        self.delay = delay

    def record(self, entry: dict) -> None:
        with LOCK, open(self.log, "a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each 250")
    args = parser.parse_args()
    with Sink(args.port, args.log, args.delay) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
