"""A small scripted browser for the write benchmark (`manage.py bench_writes`): not used by the application.

A `Browser` is one signed-in person's session over real HTTP: it keeps the cookies the server sets,
follows no redirect by itself (the caller decides, as the page flow does), and times every answer.
`forms_of(html)` reads a page's forms as a browser would submit them untouched: each control's
current value (checked boxes, selected options, a single select's first option when none is
selected, textareas' text), without disabled controls, file inputs or submit buttons; the caller
changes what a person would type or tick and names the button pressed.

HTTP and multipart encoding are urllib3's (installed with boto3, which django-storages[s3] brings).
"""
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import urllib3

TEXT_INPUTS = {"text", "hidden", "number", "date", "email", "tel", "password", "search", "url", "month",
               "week", "time", "datetime-local", "color", "range"}
BUTTONS = {"submit", "button", "image", "reset"}


@dataclass
class Form:
    action: str
    multipart: bool
    fields: list = field(default_factory=list)  # [name, value] in document order, as submitted
    choices: dict = field(default_factory=dict)  # name -> every value its options or boxes offer
    attrs: dict = field(default_factory=dict)  # name -> the attributes of its (first) control

    def get(self, name):
        return next((value for key, value in self.fields if key == name), None)

    def getlist(self, name):
        return [value for key, value in self.fields if key == name]

    def set(self, name, *values):
        """Replace the control's values (several for a multiple select or checkboxes)."""
        self.fields = [pair for pair in self.fields if pair[0] != name] + [[name, str(v)] for v in values]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.option, self.textarea = [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(action=a.get("action", ""), multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name, disabled = a.get("name"), "disabled" in a
        if tag == "input" and name and not disabled:
            kind = a.get("type", "text").lower()
            self.form.attrs.setdefault(name, a)
            if kind in ("checkbox", "radio"):
                self.form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.form.fields.append([name, a.get("value", "on")])
            elif kind in TEXT_INPUTS:
                self.form.fields.append([name, a.get("value", "")])
        elif tag == "select" and name and not disabled:
            self.form.attrs.setdefault(name, a)
            self.select = {"name": name, "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name and not disabled:
            self.form.attrs.setdefault(name, a)
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        elif self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option" and self.option is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            if self.option is not None:
                self._end_option()
            s = self.select
            values = s["selected"] or ([] if s["multiple"] or not s["options"] else s["options"][:1])
            self.form.choices[s["name"]] = s["options"]
            self.form.fields += [[s["name"], v] for v in values]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.form.fields.append([name, text[1:] if text.startswith("\n") else text])
            self.textarea = None

    def _end_option(self):
        o = self.option
        value = o["value"] if o["value"] is not None else o["text"].strip()
        self.select["options"].append(value)
        if o["selected"]:
            self.select["selected"].append(value)
        self.option = None


def forms_of(html):
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


@dataclass
class Answer:
    url: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    headers: dict
    body: bytes
    ms: float

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        """The path a redirect points to."""
        return urlsplit(urljoin(self.url, self.headers.get("location", ""))).path if self.status in (301, 302, 303) else ""


class Browser:
    """One person's session: a session cookie to start with, and whatever cookies the server sets."""

    def __init__(self, base, session, timeout=60):
        self.base, self.cookies = base, {"sessionid": session}
        self.http = urllib3.PoolManager(maxsize=1, retries=False, timeout=timeout)

    def request(self, method, path, *, fields=None, multipart=False, headers=None):
        url = urljoin(self.base, path)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        if method == "POST":
            all_headers.setdefault("Origin", self.base)  # as a browser sends it (CSRF origin check)
        start = time.perf_counter()
        try:
            if method == "POST":
                response = self.http.request_encode_body(method, url, fields=[tuple(f) for f in fields or []],
                                                         headers=all_headers, encode_multipart=multipart,
                                                         redirect=False)
            else:
                response = self.http.request(method, url, headers=all_headers, redirect=False)
        except urllib3.exceptions.HTTPError:
            return Answer(url, 0, {}, b"", (time.perf_counter() - start) * 1000)
        ms = (time.perf_counter() - start) * 1000
        for header in response.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(url, response.status, {k.lower(): v for k, v in response.headers.items()}, response.data, ms)

    def get(self, path):
        return self.request("GET", path)

    def submit(self, page, form, *, button=None, files=()):
        """POST `form` (read from `page`, an Answer) with the button pressed and the files chosen:
        [(name, filename, bytes, content type)]."""
        fields = [list(f) for f in form.fields] + ([list(button)] if button else [])
        fields += [[name, (filename, data, content_type)] for name, filename, data, content_type in files]
        return self.request("POST", urljoin(page.url, form.action), fields=fields,
                            multipart=form.multipart or bool(files))
