"""A `{# … #}` comment is one line in Django's templates: spread over two lines it is not a comment,
and the page prints it."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_comment_spans_lines():
    broken = [f"{path.relative_to(TEMPLATES)}: {line.strip()[:60]}"
              for path in sorted(TEMPLATES.rglob("*.html"))
              for line in path.read_text().splitlines()
              if re.search(r"\{#(?!.*#\})", line)]
    assert broken == []


def test_the_month_page_prints_no_template_syntax(inspector, client_for):
    html = client_for(inspector).get("/reports/monthly/2026-11/").content.decode()
    assert "本月尚未发布" in html and "{#" not in html and "#}" not in html
