"""Unit names as people type them in a spreadsheet cell.

`UnitIndex.parse(cell)` splits a cell on 、，,；; / and new lines and finds each name: the exact
name (spaces ignored), a unit alias (`UnitAlias`), a group word (各学校, 各中小学, 各幼儿园, 各股室,
各直属单位, 全体单位, 局属各单位 …) mapped by unit kind, or a unique unit whose name contains the
text. A name it cannot find comes back with the closest names (difflib) for the error message.
Only the importing admin's own bureau's units are known (a district's admin: their district's;
the city's admin: the city's own units), group words and suggestions included.
"""
import difflib
import re

from ..models import Unit, UnitAlias, UnitKind
from .sheet import clean

KIND_HINTS = ("学", "小学", "中学", "学校", "幼儿园", "股", "室", "中心")
SEPARATORS = re.compile(r"[、，,；;\n\r/／]+")


def _key(text):
    return re.sub(r"\s+", "", text or "")


def _is_kindergarten(unit):
    return "幼儿园" in unit.name


GROUPS = {
    "各学校": lambda u: u.kind == UnitKind.SCHOOL,
    "各校": lambda u: u.kind == UnitKind.SCHOOL,
    "各中小学": lambda u: u.kind == UnitKind.SCHOOL and not _is_kindergarten(u),
    "各中小学校": lambda u: u.kind == UnitKind.SCHOOL and not _is_kindergarten(u),
    "各幼儿园": lambda u: u.kind == UnitKind.SCHOOL and _is_kindergarten(u),
    "各股室": lambda u: u.kind == UnitKind.SECTION,
    "局机关各股室": lambda u: u.kind == UnitKind.SECTION,
    "各直属单位": lambda u: u.kind == UnitKind.AFFILIATE,
    "局直各单位": lambda u: u.kind == UnitKind.AFFILIATE,
    "全体单位": lambda u: True,
    "各单位": lambda u: True,
    "局属各单位": lambda u: True,
    "全局各单位": lambda u: True,
}


class UnitIndex:
    def __init__(self, user):
        self.units = list(Unit.objects.actable_by(user).filter(bureau=user.owning_bureau()).active())
        self.by_key = {_key(u.name): u for u in self.units}
        by_pk = {u.pk: u for u in self.units}
        self.aliases = {_key(a.name): by_pk[a.unit_id]
                        for a in UnitAlias.objects.filter(unit__is_active=True) if a.unit_id in by_pk}

    def find(self, text):
        """[units] for one name or group word, or None when nothing (or several units) match."""
        key = _key(text).strip("等")
        if not key:
            return []
        if key in self.by_key:
            return [self.by_key[key]]
        if key in self.aliases:
            return [self.aliases[key]]
        if key in GROUPS:
            return [u for u in self.units if GROUPS[key](u)]
        candidates = [u for name, u in self.by_key.items() if len(key) >= 4 and key in name]
        return candidates if len(candidates) == 1 else None

    def suggest(self, text, n=3):
        """The names closest to `text` (difflib ratio, plus a bonus for the same kind of unit)."""
        key = _key(text)
        scored = {}
        for name, unit in list(self.by_key.items()) + list(self.aliases.items()):
            score = difflib.SequenceMatcher(None, key, name).ratio()
            score += 0.3 * sum(word in key and word in name for word in KIND_HINTS)
            if score > scored.get(unit.name, 0):
                scored[unit.name] = score
        ranked = sorted(scored.items(), key=lambda item: -item[1])
        return [name for name, score in ranked[:n] if score >= 0.15]

    def parse(self, cell):
        """(units, unknown names) from a cell listing names."""
        if isinstance(cell, list):
            cell = "、".join(clean(c) for c in cell)
        found, unknown = [], []
        for token in SEPARATORS.split(clean(cell)):
            token = token.strip().rstrip("。.；;")  # "街道办事处。": a list ends like a sentence
            if not token:
                continue
            units = self.find(token)
            if units is None:
                unknown.append(token)
            else:
                found.extend(u for u in units if u not in found)
        return found, unknown

    def one(self, cell, *, several, missing):
        """(the unit, None) for a cell that must name exactly one unit, else (None, why not): the
        unknown names, or the row's own words for several units and for none."""
        found, unknown = self.parse(cell)
        if unknown:
            return None, self.unknown_message(unknown)
        if len(found) != 1:
            return None, several if found else missing
        return found[0], None

    def unknown_message(self, unknown, what="单位"):
        parts = []
        for name in unknown:
            close = self.suggest(name)
            hint = f"（最接近的是：{'、'.join(close)}）" if close else "（没有相近的单位名称）"
            parts.append(f"{what}“{name}”不存在{hint}")
        return "；".join(parts) + "。可在单位管理中为单位添加别名"
