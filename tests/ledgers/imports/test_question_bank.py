"""The 应知应会 question bank imported from the table a school or bureau already keeps: options in one
cell or in columns, answers as people write them, the audiences in words, the indicator by its code."""
from ledgers.models import Indicator, Question

from .conftest import row_status, run_import, xlsx

TWELVE = "富强、民主、文明、和谐、自由、平等、公正、法治、爱国、敬业、诚信、友善"


def bank_table():
    rows = [
        ["创建文明城市应知应会题库"],
        ["序号", "题型", "题目", "选项", "答案", "解析", "适用对象", "测评指标"],
        [1, "填空题", "社会主义核心价值观的12个主题词是什么？", None, TWELVE, "三个层面各4个", "全部", "8.1"],
        [2, "单选", "我市正在创建的是？", "A．全国文明城市\nB．国家卫生城市\nC．国家园林城市", "a", None, "学生、家长", "8.1"],
        [3, "多选题", "“四德”包括哪些？", "A、社会公德；B、职业道德；C、家庭美德；D、个人品德；E、诚实守信", "A B C D", None, "师生", None],
        [4, "判断", "文明校园创建是“两大创建”之一。", None, "√", None, "教师", None],
        [5, "满意度", "您对学校文明创建工作满意吗？", None, None, None, "家长", "8.2"],
        [6, "单选", "选项太少的题", "A. 只有一个", "A", None, "学生", None],
        [7, "判断", "指标不存在的题", None, "对", None, "学生", "9.9"],
    ]
    return xlsx(rows, ["A1:H1"], name="应知应会题库.xlsx")


def test_the_bank_imports_with_its_words_and_again_changes_nothing(client_for, bureau_admin, year):
    Indicator.objects.create(year=year, code="8.1", title="师生知晓率", points=5)
    Indicator.objects.create(year=year, code="8.2", title="家长满意度", points=5)
    client = client_for(bureau_admin)
    preview, done, _ = run_import(client, "questions", bank_table(), exclude=(8, 9))
    assert "选择题须有 2 至 8 个选项" in row_status(preview, 8)[1]
    assert "测评指标 9.9 不在本年度测评体系中" in row_status(preview, 9)[1]
    assert "5 新增" in done
    bank = {q.text: q for q in Question.objects.all()}
    fill = bank["社会主义核心价值观的12个主题词是什么？"]
    assert (fill.kind, fill.answer, fill.audiences, fill.indicator.code) == (
        "fill", TWELVE, ["student", "teacher", "parent", "citizen"], "8.1")
    single = bank["我市正在创建的是？"]
    assert (single.kind, single.options, single.answer, single.audiences) == (
        "single", ["全国文明城市", "国家卫生城市", "国家园林城市"], "A", ["student", "parent"])
    multiple = bank["“四德”包括哪些？"]
    assert (multiple.kind, multiple.answer, len(multiple.options), multiple.audiences) == (
        "multiple", "ABCD", 5, ["student", "teacher"])
    assert bank["文明校园创建是“两大创建”之一。"].answer == "对"
    assert bank["您对学校文明创建工作满意吗？"].kind == "rating"
    assert all(q.bureau == bureau_admin.bureau for q in bank.values())
    _, done, _ = run_import(client, "questions", bank_table(), exclude=(8, 9))
    assert "0 新增，0 更新，5 无变化" in done


def test_a_changed_answer_updates_the_question(client_for, bureau_admin, year):
    client = client_for(bureau_admin)
    rows = [["题型", "题目", "选项A", "选项B", "答案", "适用对象"], ["单选", "我市正在创建的是？", "全国文明城市", "国家卫生城市", "A", "学生"]]
    run_import(client, "questions", xlsx(rows))
    rows[1][4] = "B"
    preview, done, _ = run_import(client, "questions", xlsx(rows))
    assert "答案已修改" in row_status(preview, 2)[1] and "1 更新" in done
    assert Question.objects.get().answer == "B" and Question.objects.get().options == ["全国文明城市", "国家卫生城市"]
