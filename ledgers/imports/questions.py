"""The 应知应会 question bank as schools and bureaus keep it in Excel: one row per question.

Columns (through the mapping): 题型 (单选/多选/判断/填空/满意度; guessed from the options and the answer
when empty), 题目, 选项 (one cell with a line per option, "A. 富强" or "A、富强", or one column per
option: 选项A | 选项B …), 答案 (B, ACD, 对/错, the key points of a fill-in), 解析, 适用对象 (学生、教师、家长、
市民; 师生, 全部; empty: all), 测评指标 (a code of the year's tree, such as 8.1).
A question is the same question when its text matches one of the bureau's (spacing and punctuation
ignored): importing the table again changes nothing. A district's import writes the district's own
questions; a row that repeats a city question unchanged is left alone. The checks a question must
pass are the same as the form's (ledgers.services.surveys.clean_question).
"""
import re

from django.core.exceptions import ValidationError

from .. import survey_rules
from ..models import Audience, Indicator, Question, QuestionKind, SurveyAnswer
from ..models.surveys import AUDIENCES
from ..services.surveys import GRADING_FIELDS, clean_question
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .sheet import clean

FIELDS = [("number", "序号"), ("kind", "题型"), ("text", "题目"), ("options", "选项"), ("answer", "答案"),
          ("explanation", "解析"), ("audiences", "适用对象"), ("indicator", "测评指标")]
ALIASES = {
    "序号": "number", "题号": "number", "编号": "number",
    "题型": "kind", "类型": "kind", "题目类型": "kind",
    "题目": "text", "题干": "text", "问题": "text", "试题": "text", "题目内容": "text",
    "选项": "options", "选项A": "options", "选项B": "options", "选项C": "options", "选项D": "options",
    "选项E": "options", "选项F": "options", "A": "options", "B": "options", "C": "options", "D": "options",
    "答案": "answer", "正确答案": "answer", "参考答案": "answer", "标准答案": "answer",
    "解析": "explanation", "答案解析": "explanation", "说明": "explanation",
    "适用对象": "audiences", "对象": "audiences", "调查对象": "audiences", "答题对象": "audiences",
    "测评指标": "indicator", "指标": "indicator", "指标编号": "indicator",
}
KIND_WORDS = [("多选", QuestionKind.MULTIPLE), ("多项", QuestionKind.MULTIPLE), ("单选", QuestionKind.SINGLE),
              ("单项", QuestionKind.SINGLE), ("选择", QuestionKind.SINGLE), ("判断", QuestionKind.TRUE_FALSE),
              ("是非", QuestionKind.TRUE_FALSE), ("填空", QuestionKind.FILL), ("简答", QuestionKind.FILL),
              ("问答", QuestionKind.FILL), ("背诵", QuestionKind.FILL), ("满意", QuestionKind.RATING),
              ("评价", QuestionKind.RATING)]
AUDIENCE_WORDS = [("学生", Audience.STUDENT), ("教师", Audience.TEACHER), ("老师", Audience.TEACHER),
                  ("教职工", Audience.TEACHER), ("家长", Audience.PARENT), ("市民", Audience.CITIZEN),
                  ("群众", Audience.CITIZEN), ("师生", Audience.STUDENT), ("师生", Audience.TEACHER)]
ALL_WORDS = ("全部", "所有", "不限", "通用")
OPTION_MARK = re.compile(r"^\s*[（(]?[A-Ha-h][)）]?\s*[.．、:：)）]\s*")
TRUE_FALSE_ANSWERS = {"对", "错", "正确", "错误", "√", "×", "是", "否"}


def _key(text):
    return survey_rules.normalize(text)


def _options(values):
    """["富强", "民主", …] from one cell with a line (or ；) per option, or from several columns."""
    cells = [clean(v) for v in values or [] if clean(v)]
    if len(cells) == 1:
        cells = [part for part in re.split(r"[\n；;]+", cells[0]) if part.strip()]
    return [OPTION_MARK.sub("", cell).strip() for cell in cells]


def _kind(text, options, answer):
    for word, kind in KIND_WORDS:
        if word in text:
            return kind
    if text:
        return None
    if options:
        return QuestionKind.MULTIPLE if len(survey_rules.letters(answer)) > 1 else QuestionKind.SINGLE
    if answer in TRUE_FALSE_ANSWERS:
        return QuestionKind.TRUE_FALSE
    return QuestionKind.FILL if answer else QuestionKind.RATING


def _audiences(text):
    if not text or any(word in text for word in ALL_WORDS):
        return list(AUDIENCES)
    found = {value for word, value in AUDIENCE_WORDS if word in text}
    return [a for a in AUDIENCES if a in found]


class QuestionImporter(Importer):
    kind = "questions"
    title = "应知应会题库"
    fields = FIELDS
    aliases = ALIASES
    required = {"text": "题目"}
    multi = ("options",)
    preview_headers = ["题型", "题目", "答案", "适用对象", "测评指标"]

    def check(self, rows, *, year, user, **_):
        bureau = user.owning_bureau()
        existing = {}
        for q in Question.objects.for_bureau(bureau).select_related("bureau").order_by("pk"):
            key = _key(q.text)
            if key not in existing or q.bureau_id == bureau.pk:  # the bureau's own wins
                existing[key] = q
        indicators = {i.code: i for i in Indicator.objects.filter(year=year).for_bureau(bureau)} if year else {}
        answered = set(SurveyAnswer.objects.filter(question__in=existing.values()).values_list("question_id", flat=True)
                       .distinct())
        seen, results = {}, []
        for row in rows:
            v, reasons = row.values, []
            text = clean(v.get("text"))
            options = _options(v.get("options"))
            answer = clean(v.get("answer"))
            kind_text = clean(v.get("kind"))
            kind = _kind(kind_text, options, answer)
            if kind is None:
                reasons.append(f"题型“{kind_text}”应为 单选、多选、判断、填空 或 满意度")
            audience_text = clean(v.get("audiences"))
            audiences = _audiences(audience_text)
            if not audiences:
                reasons.append(f"适用对象“{audience_text}”应为 学生、教师、家长、市民（可多选）或 全部")
            code = clean(v.get("indicator")).rstrip(".")
            indicator = indicators.get(code) if code else None
            if code and indicator is None:
                reasons.append(f"测评指标 {code} 不在本年度测评体系中")
            question = Question(bureau=bureau, kind=kind or QuestionKind.SINGLE, text=text, options=options,
                                answer=answer, explanation=clean(v.get("explanation")), audiences=audiences,
                                indicator=indicator)
            if not reasons:
                try:
                    clean_question(question)
                except ValidationError as error:
                    reasons.append(error.messages[0])
            key = _key(text)
            if key and key in seen:
                reasons.append(f"与第 {seen[key]} 行的题目重复")
            seen.setdefault(key, row.number)
            cells = [question.get_kind_display() if kind else kind_text, text[:60], question.answer[:30],
                     question.audiences_text, code]
            if reasons:
                results.append(RowResult(row.number, ERROR, cells, "；".join(reasons)))
                continue
            current = existing.get(key)
            if current is None:
                question.sort_order = row.number
                results.append(RowResult(row.number, CREATE, cells, "", question))
                continue
            changes = [label for name, label in (("kind", "题型"), ("options", "选项"), ("answer", "答案"),
                                                 ("explanation", "解析"), ("audiences", "适用对象"),
                                                 ("indicator_id", "测评指标"))
                       if getattr(current, name) != getattr(question, name)]
            if current.bureau_id != bureau.pk:
                if changes:
                    results.append(RowResult(row.number, ERROR, cells,
                                             f"此题由{current.bureau.name}发布，不能在此修改。"))
                else:
                    results.append(RowResult(row.number, SAME, cells, f"{current.bureau.name}发布的题目"))
                continue
            if current.pk in answered and any(getattr(current, f) != getattr(question, f) for f in GRADING_FIELDS):
                results.append(RowResult(row.number, ERROR, cells, "此题已有人作答，不能再改题型、选项或答案"))
                continue
            question.pk, question.sort_order, question.is_active = current.pk, current.sort_order, current.is_active
            question._state.adding = False  # the row exists: saving it updates
            status = UPDATE if changes else SAME
            results.append(RowResult(row.number, status, cells, "、".join(changes) + ("已修改" if changes else ""),
                                     question))
        return results

    def apply(self, results, *, year, user, **_):
        created = updated = 0
        for result in results:
            question = result.plan
            created += question.pk is None
            updated += question.pk is not None
            question.full_clean()
            question.save()
        return {"created": created, "updated": updated}
