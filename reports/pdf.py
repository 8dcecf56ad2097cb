"""PDF rendering with WeasyPrint, shared by every printed document.

`render_pdf(template_name, context)` renders a template under templates/reports/pdf/ to PDF
bytes. Images are read from Django's storage through `storage:` URLs
(`<img src="storage:{{ photo.thumbnail.name }}">`), never fetched over HTTP; static files
through `static:` URLs. Templates extend "reports/pdf/base.html", which links the one print
stylesheet of every PDF (static/css/print.css: page, typefaces, headings, tables, 落款).
"""
import html as html_lib
import mimetypes
import re

from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ledgers.files import ReadAhead


# The body face of static/css/print.css, for the SVG charts inside a PDF: WeasyPrint draws SVG text
# in the font the SVG names, not in the document's (reports.charts `font=`).
CHART_FONT = "Noto Serif CJK SC"

STORAGE_URL = re.compile(r"""storage:([^"'\s)]+)""")


class StorageURLFetcher(URLFetcher):
    """Serves `storage:` and `static:` URLs; refuses everything else (no network, no files).
    `files` (ReadAhead) holds the document's stored images, read ahead in document order."""

    def __init__(self, files, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.files = files

    def fetch(self, url, headers=None):
        if url.startswith("storage:"):
            name = url[len("storage:"):]
            body = self.files.open(name)
            return URLFetcherResponse(url, body, {"Content-Type": _mime(name)})
        if url.startswith("static:"):
            path = finders.find(url[len("static:"):])
            if path:
                return URLFetcherResponse(url, open(path, "rb"), {"Content-Type": _mime(path)})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"PDF 不加载外部资源：{url}")


def _mime(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def render_document(html):
    """WeasyPrint's laid-out Document of `html` (pages can be counted, merged, then written); the
    stored images it shows are read ahead in document order."""
    from weasyprint import HTML

    names = [html_lib.unescape(name) for name in STORAGE_URL.findall(html)]
    with ReadAhead(default_storage, names) as files:
        return HTML(string=html, url_fetcher=StorageURLFetcher(files), base_url=".").render()


def render_html_to_pdf(html, target=None):
    return render_document(html).write_pdf(target)


def render_pdf(template_name, context, target=None):
    return render_html_to_pdf(render_to_string(template_name, context), target)
