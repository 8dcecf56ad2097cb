"""HTML as a browser reads it, for comparing two renderings of the same thing exactly.

`tokens(html)` lists every start tag as written (its attributes in their order, values escaped as
they are), every end tag, comments, and every piece of text between two tags as written (character
references as they are), with each run of whitespace made one space, except inside <textarea> and
<pre>, whose text is kept as it is. Two renderings with
the same tokens show the same page: they may differ only in how much whitespace (at least one
character) separates two things and in the indentation inside a tag, which the browser does not
show. A space between two tags that one side has and the other has not, a class, an attribute, a
character of text: each makes the tokens differ.
"""
import re
from html.parser import HTMLParser

_VERBATIM = {"textarea", "pre"}


def _tag(text):
    """A start tag as written, its whitespace between attributes made one space (not inside values)."""
    parts = re.split(r"(\"[^\"]*\"|'[^']*')", text)
    return "".join(part if n % 2 else re.sub(r"\s+", " ", part) for n, part in enumerate(parts))


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.tokens, self.verbatim = [], 0

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("<", _tag(self.get_starttag_text())))
        self.verbatim += tag in _VERBATIM

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("<", _tag(self.get_starttag_text())))

    def handle_endtag(self, tag):
        self.tokens.append(("</", tag))
        self.verbatim = max(0, self.verbatim - (tag in _VERBATIM))

    def handle_data(self, data):
        kind = "verbatim" if self.verbatim else "text"
        if self.tokens and self.tokens[-1][0] == kind:  # one text, however the parser splits it
            data = self.tokens.pop()[1] + data
        self.tokens.append((kind, data))

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def handle_comment(self, data):
        self.tokens.append(("<!--", data))

    def handle_decl(self, decl):
        self.tokens.append(("<!", decl))


def tokens(html):
    parser = _Tokens()
    parser.feed(str(html))
    parser.close()
    return [("text", re.sub(r"\s+", " ", t[1])) if t[0] == "text" else t for t in parser.tokens]
