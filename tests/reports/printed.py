"""What a printed PDF looks like, read back from the file with poppler (Debian's poppler-utils):
every run of text with its page, position, typeface and colour (`pdftohtml -xml`, which follows
form XObjects such as WeasyPrint's SVG charts), the typefaces' full names (`pdffonts`) and the plain
text (`pdftotext`).

The roles of static/css/print.css, by the PostScript names fonts have in the PDF:
"""
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

BODY = "Noto-Serif-CJK-SC"  # 宋体: body, tables, page numbers, 落款
TITLE = "Noto-Serif-CJK-SC-Bold"  # the title in a heavy serif (and emphasis)
HEI = "Noto-Sans-CJK-SC-Bold"  # 黑体: first-level headings, table heads
KAI = "AR-PL-UKai-CN"  # 楷体: second-level headings
MONO = "Noto-Sans-Mono-CJK-SC-Bold"  # letters to be typed back: a login slip's username and password
FACES = {BODY, TITLE, HEI, KAI, MONO}
HEADING_FACES = {HEI, KAI}

RED, GREEN, BLACK = "#c00000", "#1a5e20", "#000000"
PAGE_NUMBER = re.compile(r"^— (\d+) —$")


@dataclass
class Run:
    page: int  # 1-based
    top: float
    left: float
    width: float
    height: float
    face: str
    color: str
    text: str

    @property
    def right(self):
        return self.left + self.width


@dataclass
class Page:
    number: int
    width: float
    height: float
    runs: list

    def body_runs(self):
        """Every run but the page number at the foot."""
        return [r for r in self.runs if not PAGE_NUMBER.match(r.text)]

    def number_run(self):
        found = [r for r in self.runs if PAGE_NUMBER.match(r.text)]
        return found[0] if len(found) == 1 else None


class Printed:
    """A PDF as pages of runs. `Printed(data)`."""

    def __init__(self, data):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "doc.pdf"
            path.write_bytes(data)
            self.faces = _faces(path)
            self.pages = _pages(path, self.faces)
            self.text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                       check=True, text=True).stdout

    def runs(self):
        return [r for page in self.pages for r in page.runs]

    def faces_of(self, text):
        """The typefaces `text` is printed in, wherever it is (across runs: a title may wrap)."""
        runs, joined, owner = self.runs(), [], []
        for index, run in enumerate(runs):
            for ch in "".join(run.text.split()):
                joined.append(ch)
                owner.append(index)
        joined, needle, faces, start = "".join(joined), "".join(text.split()), set(), 0
        while (at := joined.find(needle, start)) >= 0:
            faces |= {runs[owner[i]].face for i in range(at, at + len(needle))}
            start = at + 1
        return faces

    def heading_left_at_foot(self, share=0.15):
        """Headings (黑体 or 楷体 runs, table heads included) in the last `share` of a page with
        nothing of the body beside or below them on that page: [(page, text)]."""
        found = []
        for page in self.pages:
            runs = page.body_runs()
            for run in runs:
                if run.face not in HEADING_FACES or run.top < page.height * (1 - share):
                    continue
                after = [r for r in runs if r.face not in HEADING_FACES and r.top + r.height > run.top + 1]
                if not after:
                    found.append((page.number, run.text))
        return found


def _faces(path):
    """Subset tag -> full PostScript name ("BYMOGM" -> "Noto-Serif-CJK-SC-Bold"), from pdffonts."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    faces = {}
    for line in out.splitlines()[2:]:
        name = line.split()[0]
        tag, _, full = name.partition("+")
        faces[tag] = full or tag
    return faces


def _pages(path, faces):
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-enc", "UTF-8", str(path)],
                         capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    specs = {}  # font ids are the document's (each declared on the page that first uses it)
    for spec in root.iter("fontspec"):
        tag = spec.get("family").partition("+")[0]
        specs[spec.get("id")] = (faces.get(tag, spec.get("family")), spec.get("color"))
    pages = []
    for page in root.iter("page"):
        runs = []
        for node in page.iter("text"):
            text = "".join(node.itertext()).strip()
            if not text:
                continue
            face, color = specs[node.get("font")]
            runs.append(Run(int(page.get("number")), float(node.get("top")), float(node.get("left")),
                            float(node.get("width")), float(node.get("height")), face, color, text))
        pages.append(Page(int(page.get("number")), float(page.get("width")), float(page.get("height")), runs))
    return pages
