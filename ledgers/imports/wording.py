"""How published tables write numbering, points and scoring rules inside their cells.

The importers (indicators, tasks, checklists) read the same writing the same way:

- numbering at the start of a cell: "1." "1、" "1）" "1.1" "（一）" "一、" "II-1 " and a number glued to
  the text ("2有善行义举榜"); a number that is a word is kept ("3名及以上学生", "24字", "2015年修订版");
- points at the end of a cell: "…；（4分）", "…。2分", and in a group label "宣传氛围（20分）",
  "校园硬化30分", "校 园 硬 化 30分", "I-1 领 导 班 子 建 设（15 分）" (letters spaced out for a
  narrow cell are closed up);
- scoring rules: "每处扣0.5分" "缺一项扣1分，扣完为止" "有一处不符合扣3分" (a deduction per finding),
  "随机抽取5名学生……3名及以上……为达标" (a sampling item and its threshold), 一票否决, 不做要求.
"""
import re
from decimal import Decimal, InvalidOperation

CN_NUMERALS = "一二三四五六七八九十百"
ROMAN = "IVXⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
# A number followed by one of these is a quantity, not a code ("3名", "24字", "2015年", "100米").
MEASURES = "名个人次处间年月日天周米分元种项所位幅张条块份台辆层楼届期级岁字句点家户组班节课门%％℃倍成"

CODE = re.compile(
    rf"""^\s*(?:
        [（(]\s*(?P<paren>[{CN_NUMERALS}]+|\d+)\s*[)）]             # （一） (1)
      | (?P<cn>[{CN_NUMERALS}]+)\s*[、.．]                         # 一、
      | (?P<roman>[{ROMAN}]+\s*-\s*\d+)(?=[\s\u4e00-\u9fff])        # II-1
      | (?P<dotted>\d+(?:[.．]\d+)+)(?![\d%％])\s*[、.．]?           # 1.1  1.1.1
      | (?P<plain>\d+)\s*(?:[、．）)]|\.(?!\d))                       # 1、 1. 1）
      | (?P<bare>\d+)(?=[^\d\s.．、%％)）{MEASURES}a-zA-Z])        # 2有 (the stop was lost)
    )\s*""", re.X)
POINTS_IN_BRACKETS = re.compile(r"[；;，,。]?\s*[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*[；;。.]?\s*$")
POINTS_AFTER_STOP = re.compile(r"(?<=[。；;，,.\s])\s*(\d+(?:\.\d+)?)\s*分\s*$")
POINTS_AT_END = re.compile(r"[（(]?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]?\s*$")
CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff）)])[ \u3000\n]+(?=[\u4e00-\u9fff（(\d])|(?<=\d)[ \u3000]+(?=分)")
DEDUCTION = re.compile(r"扣\s*(\d+(?:\.\d+)?)\s*分")
PER_FINDING = re.compile(r"每|[一1]\s*[处项次个人例间名条]")
SAMPLE = re.compile(r"(?:随机)?(?:抽取|抽选|抽查|抽问|询问|随访|访问)\s*(\d+)\s*[名个间人位户处所]")
THRESHOLD = re.compile(r"(\d+)\s*[名个间人位户处所]\s*(?:及|或)?以上")
ALL_PASS = re.compile(r"均[有能是]?.{0,6}为达标|全部.{0,8}为达标|都.{0,8}为达标")


def number(text):
    """Decimal of "4", "4分", "2.5", 4.0; None when it is no number."""
    text = re.sub(r"\s+", "", str(text if text is not None else "")).rstrip("分")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def close_up(text):
    """Letters spaced out to fill a narrow cell closed up: "校 园 硬 化 30分" → "校园硬化30分"."""
    return CJK_GAP.sub("", text)


def split_code(text):
    """(code, rest) of a cell that starts with its numbering; (None, text) when it does not."""
    match = CODE.match(text or "")
    if not match:
        return None, text
    code = next(g for g in match.groups() if g)
    return re.sub(r"\s+", "", code).replace("．", "."), text[match.end():]


def trailing_points(text):
    """(points, rest) when the text ends with its points ("…；（4分）", "…。2分"), else (None, text)."""
    for pattern in (POINTS_IN_BRACKETS, POINTS_AFTER_STOP):
        match = pattern.search(text or "")
        if match:
            return Decimal(match.group(1)), text[:match.start()].rstrip("；;，, \n")
    return None, text


def label(text):
    """(code, title, points) of a group label: "一、宣传氛围（20分）", "校园硬化30分", "（一）\\n校\\n园"."""
    text = close_up(re.sub(r"\s*\n\s*", "\n", (text or "").strip()))
    code, rest = split_code(text)
    rest = re.sub(r"\s+", "", rest) if "\n" in rest else rest.strip()
    match = POINTS_AT_END.search(rest)
    points = Decimal(match.group(1)) if match else None
    if match:
        rest = rest[:match.start()]
    return code, rest.strip().rstrip("：:。；;，, "), points


def item_text(text):
    """(code, title, points) of an item cell: numbering off the front, points off the end, line
    breaks kept."""
    code, rest = split_code((text or "").strip())
    points, rest = trailing_points(rest.strip())
    return code, rest.strip(), points


def deduction(text):
    """(per finding, 扣完为止) when the text's first deduction is per finding ("每处扣0.5分",
    "缺一项扣1分，扣完为止", "有一处不符合扣3分"); (None, floor) when it deducts fixed amounts
    ("校门口不干净扣1分，车辆乱停扣2分") or names none."""
    text = text or ""
    floor = "扣完为止" in text
    match = DEDUCTION.search(text)
    if not match:
        return None, floor
    clause = re.split(r"[，,。；;（(]", text[:match.start()])[-1]
    return (Decimal(match.group(1)) if PER_FINDING.search(clause) else None), floor


def names_deductions(text):
    return bool(DEDUCTION.search(text or ""))


def sampling(text):
    """(asked, needed to pass or None) of a sampling rule ("随机抽取5名学生……3名及以上……为达标"),
    or None when the text asks nobody."""
    match = SAMPLE.search(text or "")
    if not match:
        return None
    asked = int(match.group(1))
    threshold = THRESHOLD.search(text)
    if threshold and int(threshold.group(1)) <= asked:
        return asked, int(threshold.group(1))
    if ALL_PASS.search(text):
        return asked, asked
    return asked, None


def is_veto(text):
    return "一票否决" in (text or "")


def may_not_apply(text):
    """"（幼儿园不做要求）", "不适用": the item may be marked 不适用 on a check."""
    return bool(re.search(r"不做要求|不作要求|不适用|可不考核", text or ""))
