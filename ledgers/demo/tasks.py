"""Demo data for indicators, the task breakdown table and responsibility letters.

A believable year: ~40 indicators in a coded tree, ~60 tasks over the demo units with a mix of
statuses (and overdue ones), recurring tasks reported period by period (the demo liaison missed
last month of one: 逾期), and a letter for every unit in every state — the demo liaison's waiting
for the bureau's confirmation (待确认). All moves go through the services, so the timelines and
audit trail look like real use; the year's period reports are bulk-created after each unit's first.
"""
import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from ..models import (
    AssignmentEvent, AssignmentStatus, Bureau, CampaignYear, Frequency, Indicator, LetterStatus, LetterTarget, Method,
    ProgressEntry, ResponsibilityLetter, Role, Task, TaskAssignment, Unit, UnitKind, User,
)
from ..services import letters as letter_services
from ..services import tasks as task_services

D, S, Q = Method.DOCUMENTS, Method.SITE, Method.SURVEY

# (code, title, points, method, min photos, caption required, standard)
INDICATORS = [
    ("1", "组织领导", 10, D, 0, False, ""),
    ("1.1", "创建机制", 5, D, 0, False, "成立精神文明创建领导小组，印发《工作方案》《工作计划》《工作台账》"),
    ("1.2", "目标责任", 5, D, 0, False, "与各股室、各学校签订精神文明创建《目标责任书》"),
    ("2", "思想道德建设", 20, D, 0, False, ""),
    ("2.1", "社会主义核心价值观", 8, S, 0, False, ""),
    ("2.1.1", "核心价值观宣传", 4, S, 3, True, "校园内有核心价值观公益广告、宣传栏，内容醒目"),
    ("2.1.2", "主题教育活动", 4, D, 2, True, "开展理想信念、爱国主义主题教育，有方案、有记录、有照片"),
    ("2.2", "道德模范与好人", 6, D, 0, False, ""),
    ("2.2.1", "学习宣传道德模范", 3, D, 2, True, "组织学习宣传道德模范、身边好人事迹"),
    ("2.2.2", "好人点赞", 3, D, 0, False, "及时做好漯河好人、中国好人的点赞评议工作"),
    ("2.3", "诚信建设", 6, Q, 0, False, "开展诚信主题教育，建立师生诚信档案"),
    ("3", "未成年人思想道德建设", 25, D, 0, False, ""),
    ("3.1", "课堂主渠道", 8, D, 0, False, ""),
    ("3.1.1", "思政课建设", 4, D, 0, False, "按规定开齐开足道德与法治、思想政治课"),
    ("3.1.2", "学科德育渗透", 4, D, 1, False, "将社会主义核心价值观教育融入各学科教学"),
    ("3.2", "学校教育", 9, S, 0, False, ""),
    ("3.2.1", "文明校园创建", 4, S, 3, True, "开展文明校园创建，校园环境整洁优美，秩序井然"),
    ("3.2.2", "我们的节日", 3, D, 3, True, "利用春节、清明、端午、中秋等传统节日开展主题活动"),
    ("3.2.3", "文明礼仪教育", 2, D, 2, True, "开展文明礼仪教育，学生行为规范"),
    ("3.3", "家校社协同", 8, D, 0, False, ""),
    ("3.3.1", "家长学校", 4, D, 2, True, "办好家长学校，每学期至少开展两次家庭教育指导"),
    ("3.3.2", "小手拉大手", 4, Q, 2, True, "开展“小手拉大手，共创文明城”活动"),
    ("4", "志愿服务", 15, D, 0, False, ""),
    ("4.1", "学雷锋志愿服务", 6, D, 3, True, "常态化开展学雷锋志愿服务活动，有记录、有照片"),
    ("4.2", "网络文明传播", 5, D, 0, False, "成立网络文明传播志愿者小组，定时发表文明博文"),
    ("4.3", "志愿者注册", 4, D, 0, False, "教职工志愿者注册率达到要求"),
    ("5", "校园环境与安全", 15, S, 0, False, ""),
    ("5.1", "环境卫生", 5, S, 3, True, "卫生坚持“每天一打扫”“一周一大扫”，无卫生死角"),
    ("5.2", "校园周边环境", 5, S, 2, True, "校园周边无违规经营，无占道现象"),
    ("5.3", "公益广告", 5, S, 3, True, "围墙、LED屏等有公益广告，无破损"),
    ("6", "法治宣传与心理健康", 10, D, 0, False, ""),
    ("6.1", "法治宣传教育", 5, D, 2, True, "开展法治进校园、国家宪法日等活动"),
    ("6.2", "心理健康教育", 5, D, 1, False, "设立心理咨询室，配备专兼职心理教师"),
    ("7", "档案管理", 5, D, 0, False, ""),
    ("7.1", "创建档案", 3, D, 0, False, "明确专人负责创建工作档案，分类整理"),
    ("7.2", "文明网上传", 2, D, 0, False, "实时同步向漯河文明网文明创建管理系统上传活动档案"),
    ("8", "群众满意度", 10, Q, 0, False, ""),
    ("8.1", "师生知晓率", 5, Q, 0, False, "师生对创建工作知晓率、支持率达到90%以上"),
    ("8.2", "家长满意度", 5, Q, 0, False, "家长对学校文明创建工作满意"),
]

# (indicator code, title, frequency, responsible: "schools"/"sections"/"all"/a section name)
TASK_TEMPLATES = [
    ("1.1", "成立精神文明创建领导小组，明确分管领导和联络员", Frequency.ONCE, "all"),
    ("1.1", "制定本单位文明创建《工作方案》和《工作计划》", Frequency.ONCE, "all"),
    ("1.2", "签订文明创建目标责任书并上传签字扫描件", Frequency.ONCE, "all"),
    ("2.1.1", "更新校园核心价值观宣传栏和公益广告", Frequency.TERM, "schools"),
    ("2.1.2", "开展“理想信念”主题班会", Frequency.MONTHLY, "schools"),
    ("2.1.2", "组织“我和我的祖国”爱国主义教育活动", Frequency.ONCE, "schools"),
    ("2.2.1", "学习宣传道德模范、身边好人事迹", Frequency.TERM, "all"),
    ("2.2.2", "组织漯河好人、中国好人点赞评议", Frequency.MONTHLY, "sections"),
    ("2.3", "开展诚信主题教育，建立学生诚信档案", Frequency.TERM, "schools"),
    ("3.1.1", "开齐开足道德与法治课程，检查课表落实", Frequency.TERM, "基础教育股"),
    ("3.1.2", "开展学科德育渗透优质课评选", Frequency.ONCE, "教研室"),
    ("3.2.1", "开展文明校园创建自查，建立问题清单", Frequency.MONTHLY, "schools"),
    ("3.2.2", "开展“我们的节日·清明”祭英烈活动", Frequency.ONCE, "schools"),
    ("3.2.2", "开展“我们的节日·端午”主题活动", Frequency.ONCE, "schools"),
    ("3.2.2", "开展“我们的节日·中秋”主题活动", Frequency.ONCE, "schools"),
    ("3.2.3", "开展文明礼仪教育，评选文明班级", Frequency.MONTHLY, "schools"),
    ("3.3.1", "召开家长学校专题讲座", Frequency.TERM, "schools"),
    ("3.3.2", "开展“小手拉大手，共创文明城”实践活动", Frequency.MONTHLY, "schools"),
    ("4.1", "组织学雷锋志愿服务进社区", Frequency.MONTHLY, "all"),
    ("4.2", "网络文明传播志愿者每周发布文明博文", Frequency.WEEKLY, "sections"),
    ("4.3", "完成教职工志愿者注册", Frequency.ONCE, "all"),
    ("5.1", "落实“每天一打扫、一周一大扫”卫生保洁制度", Frequency.WEEKLY, "schools"),
    ("5.2", "联合城管整治校园周边环境", Frequency.MONTHLY, "安全稳定股"),
    ("5.3", "检查维护围墙、LED屏公益广告", Frequency.MONTHLY, "schools"),
    ("6.1", "开展“法治进校园”宣传活动", Frequency.TERM, "schools"),
    ("6.2", "完善心理咨询室建设并开展心理健康周活动", Frequency.ONCE, "schools"),
    ("7.1", "整理文明创建工作档案，分类装盒", Frequency.MONTHLY, "all"),
    ("7.2", "向漯河文明网上传活动档案", Frequency.WEEKLY, "all"),
    ("8.1", "开展文明创建知晓率问卷调查", Frequency.TERM, "schools"),
    ("8.2", "开展家长满意度调查并整改", Frequency.TERM, "schools"),
]

LETTER_TARGETS = [
    ("成立文明创建领导小组，主要负责人为第一责任人，明确分管领导和联络员", 10),
    ("制定年度《工作方案》《工作计划》，建立《工作台账》，按任务分解表逐项落实", 15),
    ("深入开展社会主义核心价值观宣传教育，校园公益广告醒目、无破损", 10),
    ("利用传统节日开展“我们的节日”主题活动，每月至少一次，活动档案及时上传文明网", 15),
    ("常态化开展学雷锋志愿服务，教职工志愿者注册率达到要求", 10),
    ("校园环境整洁，坚持“每天一打扫、一周一大扫”，督查问题日结日清", 20),
    ("办好家长学校，开展“小手拉大手，共创文明城”活动", 10),
    ("师生对创建工作知晓率、支持率达到90%以上", 10),
]

PROGRESS = ["召开专题会议研究部署，明确责任人", "制定活动方案并在全校动员", "各班开展主题班会，参与学生约600人",
            "组织志愿者进社区开展服务，参加教师32人", "完成宣传栏更新，张贴公益广告12幅", "整理活动照片和记录，上传文明网",
            "开展自查，发现问题3处，已当天整改", "邀请家长代表参加活动并填写反馈表"]
RETURN_REASONS = ["照片缺少说明（时间、地点、人物、事件、成效）", "佐证材料不全，请补充活动方案", "活动记录与任务要求不符，请补充"]


def _scan_image(text):
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 580, 837], outline="black", width=3)
    draw.text((80, 100), text, fill="black")
    draw.ellipse([400, 650, 540, 790], outline="red", width=5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile("signed-scan.jpg", out.getvalue(), content_type="image/jpeg")


LETTER_TASK = "签订文明创建目标责任书并上传签字扫描件"


def _period_reports(tasks, liaisons, admin, today, rng):
    """Recurring tasks reported period by period, as a unit does over a year: nearly every period in
    time, a few reported late, and some units behind on the last two periods (逾期). The demo liaison's
    unit reports everything but last month of its first 每月 task: the missed month of docs/rules.md's
    rules. Entries are dated in their periods; the first of an assignment goes through the service
    (it starts the work), the rest are bulk-created."""
    demo_unit = User.objects.filter(username="liaison").values_list("unit_id", flat=True).first()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    showcase = next((t for t in tasks if t.frequency == Frequency.MONTHLY
                     and t.assignments.filter(unit_id=demo_unit).exists()), None)
    planned = []  # (entry, the day it was entered)
    for task in tasks:
        periods = [p for p in task.period_deadlines.all() if p.starts <= today]
        recent = {p.pk for p in [p for p in periods if p.due < today][-2:]}
        for assignment in task.assignments.all():
            reporter = liaisons.get(assignment.unit_id, admin)
            demo = assignment.unit_id == demo_unit
            for period in periods:
                if period.due >= today and rng.random() < 0.6:
                    continue  # the current period, not reported yet
                if (task == showcase and demo and period.due == last_month_end) or (
                        not demo and period.pk in recent and rng.random() < 0.15):
                    continue  # missed: 逾期
                day = min(today, period.starts + timedelta(days=rng.randint(0, (period.due - period.starts).days)))
                late = not demo and period.due < today and rng.random() < 0.1
                entered = min(today, period.due + timedelta(days=rng.randint(1, 5))) if late else day
                planned.append((ProgressEntry(assignment=assignment, author=reporter, date=day,
                                              content=rng.choice(PROGRESS)), entered))
    first = {}
    for entry, entered in planned:
        if entry.assignment_id not in first or entry.date < first[entry.assignment_id][0].date:
            first[entry.assignment_id] = (entry, entered)
    made = [(task_services.progress_add(assignment=e.assignment, user=e.author, date=e.date, content=e.content),
             entered) for e, entered in first.values()]
    rest = [(e, entered) for e, entered in planned if first[e.assignment_id][0] is not e]
    made += zip(bulk_create_with_history([e for e, _ in rest], ProgressEntry, default_user=admin),
                [entered for _, entered in rest])
    by_day = {}
    for entry, entered in made:
        by_day.setdefault(entered, []).append(entry.pk)
    for day, ids in by_day.items():  # entered on the day they were written
        ProgressEntry.objects.filter(pk__in=ids).update(
            created_at=timezone.make_aware(datetime.combine(day, time(17, 0))))
    return len(made)


def city_indicators(year):
    """The year's evaluation system, published by the city bureau (created once)."""
    city = Bureau.objects.default_city()
    by_code = {i.code: i for i in Indicator.objects.filter(year=year, bureau=city)}
    for code, title, points, method, photos, caption, standard in INDICATORS:
        if code not in by_code:
            by_code[code] = Indicator.objects.create(
                bureau=city, year=year, code=code, title=title, points=Decimal(points), method=method,
                min_photos=photos, caption_required=caption, standard=standard,
                parent=by_code.get(code.rpartition(".")[0]))
    return by_code


def _backdate_completion(assignment, day):
    """Marked done on the afternoon of its last report (not "now", the moment the demo is loaded: a
    past month's summary would count none of its tasks as done)."""
    moment = min(timezone.now(), timezone.make_aware(datetime.combine(day, time(17, 0))))
    TaskAssignment.objects.filter(pk=assignment.pk).update(completed_at=moment)
    AssignmentEvent.objects.filter(assignment=assignment, to_status=AssignmentStatus.DONE).update(at=moment)


def load(out, *, bureau=None, tasks_count=60, seed=2026):
    """The task breakdown table and the letters of one district (郾城区 unless told)."""
    from .core import city_and_yancheng

    bureau = bureau or city_and_yancheng()[1]
    year = CampaignYear.objects.current()
    if year is None or Task.objects.filter(year=year, bureau=bureau).exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    staff = User.objects.filter(unit__bureau=bureau).order_by("pk")
    admin = staff.filter(role=Role.ADMIN).first()
    inspector = staff.filter(role=Role.INSPECTOR).first() or admin
    liaisons = {u.unit_id: u for u in User.objects.filter(role=Role.LIAISON, unit__bureau=bureau)}

    by_code = city_indicators(year)

    units = list(Unit.objects.active().filter(bureau=bureau))
    schools = [u for u in units if u.kind == UnitKind.SCHOOL]
    sections = [u for u in units if u.kind != UnitKind.SCHOOL]
    demo_schools = [u for u in schools if u.pk in liaisons]  # the demo liaisons always get work
    lead_units = {u.name: u for u in sections}

    tasks = []
    for n in range(tasks_count):
        code, title, frequency, who = TASK_TEMPLATES[n % len(TASK_TEMPLATES)]
        if n >= len(TASK_TEMPLATES):
            title = title.replace("开展", "深化", 1) + "（下半年）"
        others = [s for s in schools if s not in demo_schools]
        if who == "schools":
            chosen = demo_schools + rng.sample(others, min(len(others), rng.randint(3, 8)))
        elif who == "sections":
            chosen = rng.sample(sections, min(len(sections), rng.randint(2, 4)))
        elif who == "all":
            chosen = (demo_schools + rng.sample(sections, min(len(sections), 2))
                      + rng.sample(schools, min(4, len(schools))))
        else:
            chosen = [lead_units.get(who) or rng.choice(sections)] + rng.sample(schools, min(3, len(schools)))
        # Deadlines within the campaign year: the last ~4 months and what is left of the year (a
        # recurring task is due at its last period's end; the letter task soon, with the letters).
        days_left = (date(year.year, 12, 31) - today).days
        deadline = today + timedelta(days=rng.randint(-120, max(10, days_left)))
        letter_task = title == LETTER_TASK
        task = Task(year=year, number=str(n + 1), indicator=by_code[code], title=title, frequency=frequency,
                    requirement="按照测评体系逐项对照，有方案、有记录、有照片，按时填报落实情况。",
                    lead_unit=lead_units.get(who) or rng.choice(sections),
                    deadline=today + timedelta(days=20) if letter_task else deadline, is_letter_task=letter_task)
        tasks.append(task_services.task_save(task=task, units=list(dict.fromkeys(chosen)), user=admin))
    # The table was decomposed at the start of the campaign year: every period since is owed.
    given = timezone.make_aware(datetime.combine(min(today, date(year.year, 1, 5)), time(9, 0)))
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(created_at=given)
    for task in tasks:
        task.created_at = given

    # When a finished task was reported and marked done: mostly by its deadline, some a few days late.
    # (A separate generator, so that everything else the seed makes stays the same.)
    when = random.Random(seed + 1)
    for task in tasks:
        if task.is_recurring or task.is_letter_task:
            continue  # reported period by period below; the letter task is done by confirming the letter
        past = task.deadline < today
        for assignment in task.assignments.all():
            roll = rng.random()
            if roll < (0.25 if past else 0.45):
                continue  # 未开始 (overdue when the deadline has passed)
            reporter = liaisons.get(assignment.unit_id, admin)
            days_back = max(1, (today - task.deadline).days) if past else rng.randint(1, 30)
            day = today - timedelta(days=rng.randint(0, min(days_back, 60)))
            finished = roll >= (0.45 if past else 0.7)
            if finished and past:
                day = min(today, task.deadline - timedelta(days=when.randint(-4, 12)))
            task_services.progress_add(assignment=assignment, user=reporter, content=rng.choice(PROGRESS), date=day)
            if not finished:
                continue  # 进行中
            task_services.assignment_complete(assignment=assignment, user=reporter)
            _backdate_completion(assignment, day)
            if rng.random() < 0.12:
                task_services.assignment_return(assignment=assignment, user=inspector,
                                                reason=rng.choice(RETURN_REASONS))
    _period_reports([t for t in tasks if t.is_recurring], liaisons, admin, today, random.Random(seed + 2))

    for order, (text, points) in enumerate(LETTER_TARGETS, 1):
        LetterTarget.objects.create(bureau=bureau, year=year, order=order, text=text, points=Decimal(points))
    letter_services.letters_generate(year=year, user=admin)  # proposing the heads who sign
    demo_liaison = User.objects.filter(username="liaison", unit__bureau=bureau).values_list("unit_id", flat=True).first()
    other_liaison = User.objects.filter(username="liaison2", unit__bureau=bureau).values_list("unit_id", flat=True).first()
    for i, letter in enumerate(ResponsibilityLetter.objects.filter(year=year, unit__bureau=bureau)
                               .select_related("unit")):
        # The demo liaison's letter waits for the bureau's confirmation (待确认); liaison2's scan was
        # returned; the others in every state.
        state = ("pending" if letter.unit_id == demo_liaison else "returned" if letter.unit_id == other_liaison
                 else LetterStatus.DRAFT if i % 13 == 12 else LetterStatus.ISSUED if i % 4 == 1
                 else "pending" if i % 7 == 5 else LetterStatus.ARCHIVED if i % 4 == 3 else LetterStatus.SIGNED)
        if state == LetterStatus.DRAFT:
            continue
        letter_services.letter_move(letter=letter, to=LetterStatus.ISSUED, user=admin)
        if state == LetterStatus.ISSUED:
            continue
        signer = liaisons.get(letter.unit_id, admin)
        letter_services.letter_upload_scan(letter=letter, user=signer,
                                           upload=_scan_image(f"{year.year} letter signed: {letter.unit.code}"))
        if state == "returned":
            letter_services.letter_return(letter=letter, user=admin, reason="扫描件不清晰，乙方未盖公章，请重新上传。")
        elif state in (LetterStatus.SIGNED, LetterStatus.ARCHIVED):
            letter_services.letter_confirm(letter=letter, user=admin)  # the unit's letter task is done with it
        if state == LetterStatus.ARCHIVED:
            letter_services.letter_move(letter=letter, to=LetterStatus.ARCHIVED, user=admin)

    overdue = TaskAssignment.objects.filter(task__in=tasks).overdue(today).count()
    out(f"{bureau.label}：测评指标 {len(by_code)} 条，任务 {len(tasks)} 项（逾期未完成 {overdue} 条），"
        f"目标责任书 {ResponsibilityLetter.objects.filter(year=year, unit__bureau=bureau).count()} 份")
