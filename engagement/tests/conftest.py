"""Real parts on loopback for the send path: an SMTP server and a Tencent SMS stand-in."""

import datetime
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

# 11:00 in Shanghai on a Tuesday: outside the quiet hours.
DAYTIME = datetime.datetime(2026, 3, 10, 3, 0, tzinfo=datetime.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """Collects what the SMTP server received."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    """Run a real SMTP server on loopback and point Django's SMTP backend at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield inbox
    controller.stop()


class SmsStandIn:
    """What the stand-in of Tencent's SMS endpoint received, and what it answers."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.code = "Ok"


@pytest.fixture
def sms_endpoint(settings: Any) -> Iterator[SmsStandIn]:
    """Answer the SDK's SendSms call on loopback like Tencent does, and configure SMS."""
    state = SmsStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            state.headers.append(dict(self.headers))
            phone = body["PhoneNumberSet"][0]
            answer = {
                "Response": {
                    "SendStatusSet": [{
                        "SerialNo": f"serial-{len(state.requests)}", "PhoneNumber": phone,
                        "Fee": 1, "SessionContext": body.get("SessionContext", ""),
                        "Code": state.code, "Message": "send success", "IsoCode": "CN",
                    }],
                    "RequestId": "req-1",
                }
            }  # fmt: skip
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TENCENT_SMS_SECRET_ID = "test-id"
    settings.TENCENT_SMS_SECRET_KEY = "test-key"
    settings.TENCENT_SMS_APP_ID = "1400000000"
    settings.TENCENT_SMS_SIGN_NAME = "回头客"
    settings.TENCENT_SMS_ENDPOINT = f"127.0.0.1:{server.server_address[1]}"
    settings.TENCENT_SMS_SCHEME = "http"
    settings.TENCENT_SMS_TEMPLATES = {"birthday": "123456"}
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def care_defaults(db: Any) -> None:
    """Put back the care occasions and templates the migration seeds, should a transactional
    test (a browser test) have flushed them."""
    from engagement.care_defaults import seed_defaults
    from engagement.models import CareOccasion, MessageTemplate

    seed_defaults(CareOccasion, MessageTemplate)
