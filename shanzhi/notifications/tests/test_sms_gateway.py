"""The production SMS backend posts sign-up codes to the gateway that the notification channels use."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from shanzhi.notifications.sms import GatewaySmsBackend


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server interface
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()


@pytest.mark.django_db
def test_a_code_goes_to_the_configured_gateway(settings, gateway):
    url, received = gateway
    settings.SHANZHI_SMS_GATEWAY = url
    assert GatewaySmsBackend().send("13800138000", "验证码 123456") is True
    assert received == [{"phone": "13800138000", "text": "验证码 123456"}]


@pytest.mark.django_db
def test_without_a_gateway_nothing_is_sent(settings):
    settings.SHANZHI_SMS_GATEWAY = ""
    assert GatewaySmsBackend().send("13800138000", "验证码 123456") is False
