"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) and a real HTTP server
standing in for the group robots, both on 127.0.0.1 at ports free at run time."""
import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.ledgers.checks.factories import *  # noqa: F401,F403 (indicator, template, jpeg, make_problem …)
from benchmarks.serving import free_port


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message) per mail."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpt, m in self.mails if address in rcpt]


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


class Robot:
    """A local HTTP server recording each POST's path and JSON body, answering like the robots."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.posts = []
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                robot.posts.append((self.path, self.headers.get("Content-Type"), json.loads(raw.decode("utf-8"))))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def robot():
    r = Robot().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def robot_down():
    """A robot address where nothing listens yet; `.start()` brings it up on the same port."""
    r = Robot()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the action queued for after its commit (the test's own
    transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
