"""The user guide (使用说明): one Markdown file, docs/使用说明.md, read in the repository and, as the
app's 帮助 page, in the browser. Its screenshots live in docs/images/guide/ (taken by the browser
journeys of tests/browser/test_user_guide.py) and are served as static files under guide/."""
import functools
import re

import markdown
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from markdown.extensions.toc import TocExtension, slugify_unicode

from .models import Role

GUIDE = settings.BASE_DIR / "docs" / "使用说明.md"
IMAGES = settings.BASE_DIR / "docs" / "images" / "guide"

# The chapter each role reads first: the guide's second-level headings, as written there.
CHAPTERS = {
    Role.ADMIN: "局文明办",
    Role.INSPECTOR: "督导组",
    Role.LEADER: "局领导",
    Role.LIAISON: "单位联络员",
}


def chapter_for(user):
    """(heading, anchor) of the chapter for the user's role, or None."""
    heading = CHAPTERS.get(user.role)
    return (heading, slugify_unicode(heading, "-")) if heading else None


def guide_html():
    """The guide as HTML (its images pointed at the static files), read again when the file changes."""
    return _render(GUIDE.stat().st_mtime_ns)


# A line break inside a Chinese paragraph is no word space: the lines are joined before rendering
# (Markdown would turn the break into a space between two characters).
CJK = "\u2018\u2019\u201c\u201d\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
SOFT_BREAK = re.compile(f"(?<=[{CJK}*])\n[ \t]*(?:>[ \t]*)?(?=(?:\\*\\*)?[{CJK}])")  # also in a quote


@functools.lru_cache(maxsize=1)
def _render(_mtime):
    html = markdown.markdown(SOFT_BREAK.sub("", GUIDE.read_text(encoding="utf-8")),
                             extensions=["tables", "sane_lists", TocExtension(slugify=slugify_unicode)])
    html = re.sub(r'<img alt="([^"]*)" src="images/guide/([^"]+)"',
                  lambda m: f'<img alt="{m.group(1)}" loading="lazy" src="{_image_url(m.group(2))}"', html)
    # Links to the maintainers' docs name files the app does not serve: kept as plain text.
    html = re.sub(r'<a href="(?!https?:|#)[^"]*">([^<]*)</a>', r"\1", html)
    return mark_safe(html)


def _image_url(name):
    try:
        return static("guide/" + name)
    except ValueError:  # not collected (a screenshot added since collectstatic): its alt text shows
        return ""
