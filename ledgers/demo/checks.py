"""Demo checks, problems and bulletins: three check templates, about twelve weeks of weekly
checks over the demo units, problems in every status (some overdue) and two published bulletins.

Rows are bulk-created for speed; photos are a handful of generated images shared by many rows.
Idempotent: skipped when the current year already has check templates.
"""
import datetime
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from ..models import (
    Check, CheckItem, CheckKind, CheckPhoto, CheckScore, CheckStatus, CheckTemplate, Indicator, PhotoStage, Problem,
    ProblemAction, ProblemEvent, ProblemPhoto, ProblemStatus, Role, Unit, UnitKind, User,
)
from ..services.bulletins import bulletin_create, bulletin_publish

TEMPLATES = [
    ("校园环境卫生检查表", "学校每周常规督查使用", [
        ("校园环境卫生", 20, "校园内无垃圾、无杂物，绿化带整洁"), ("教室及功能室卫生", 20, "地面、桌面、门窗洁净"),
        ("宣传氛围", 15, "公益广告、核心价值观宣传醒目规范"), ("文明礼仪", 15, "师生着装整洁、言行文明"),
        ("安全秩序", 15, "上下学秩序良好，消防通道畅通"), ("食堂及厕所卫生", 15, "无异味、无积水，制度上墙"),
    ]),
    ("文明校园创建测评表", "模拟测评、暗访督查使用", [
        ("创建氛围营造", 25, "创文宣传全覆盖"), ("未成年人思想道德建设", 25, "主题教育、我们的节日活动开展"),
        ("志愿服务开展", 20, "学雷锋志愿服务常态化"), ("创建档案资料", 30, "台账齐全、分类规范、图文并茂"),
    ]),
    ("机关股室卫生检查评比表", "局机关各股室卫生检查评比使用", [
        ("办公室卫生", 40, "地面、桌面、窗台洁净"), ("物品摆放", 30, "文件资料摆放整齐"), ("文明办公", 30, "无吸烟、无大声喧哗"),
    ]),
]

PROBLEMS = {
    0: ["教学楼西侧垃圾桶满溢，周边有散落垃圾", "操场东北角有杂物堆放", "二楼男厕所有异味、地面积水",
        "校门口宣传栏内容过期未更换", "食堂后门餐厨垃圾未及时清运", "部分教室窗台积灰较多",
        "楼道消防通道堆放纸箱", "绿化带内有塑料袋、纸屑", "公益广告破损褪色"],
    1: ["创文宣传氛围不浓，校园内公益广告数量不足", "志愿服务活动记录不完整，缺少照片", "“我们的节日”活动档案未归档",
        "创建档案资料未按测评指标分类", "学生对创文知识知晓率不高"],
    2: ["办公桌面文件堆放杂乱", "窗台有积灰，绿植枯叶未清理", "办公室内有烟头", "饮水机周边有水渍"],
}

RECTIFICATIONS = ["已立即组织清理，并安排专人每日巡查", "已更换宣传内容，建立定期更新制度", "已清运完毕，落实日结日清",
                  "已补充完善资料并归档", "已组织全面打扫，纳入班级卫生考核"]

SKIP_UNITS = {"人事股"}  # kept free of records so the demo's unit can still be deleted in tests


def _image(color, mark):
    out = io.BytesIO()
    image = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(image)
    for i in range(6):
        draw.rectangle([40 + i * 90, 300 - i * 30, 110 + i * 90, 440], fill=(230 - i * 20, 230, 220))
    draw.ellipse([480, 40, 580, 140], fill=mark)
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("现场照片.jpg", out.getvalue(), content_type="image/jpeg")


def _liaisons(units):
    """Every demo unit gets a liaison account (same demo password), so rectifications have an author."""
    from .core import password_hash

    hashed = password_hash()
    liaisons = {u.unit_id: u for u in User.objects.filter(role=Role.LIAISON, unit__isnull=False)}
    new = [User(username=f"lianluo_{unit.code}", name=unit.contact_name or f"{unit.name}联络员", role=Role.LIAISON,
                unit=unit, password=hashed) for unit in units if unit.pk not in liaisons]
    User.objects.bulk_create(new)
    return {u.unit_id: u for u in User.objects.filter(role=Role.LIAISON, unit__in=units)}


def _make_templates(year, rng):
    """The city's check templates (every district checks with them), created once."""
    from ..models import Bureau

    city = Bureau.objects.default_city()
    existing = {t.name: t for t in CheckTemplate.objects.filter(year=year, bureau=city,
                                                                 name__in=[name for name, _, _ in TEMPLATES])}
    if len(existing) == len(TEMPLATES):
        return [existing[name] for name, _, _ in TEMPLATES]
    leaves = list(Indicator.objects.filter(year=year, children__isnull=True))
    templates = []
    for name, description, items in TEMPLATES:
        template = CheckTemplate.objects.create(bureau=city, year=year, name=name, description=description)
        CheckItem.objects.bulk_create([
            CheckItem(template=template, title=title, max_points=points, standard=standard, sort_order=i,
                      indicator=rng.choice(leaves) if leaves and rng.random() < 0.7 else None)
            for i, (title, points, standard) in enumerate(items, start=1)
        ])
        templates.append(template)
    return templates


# A pass/fail checklist as a city's 创文 督查 office publishes it (中小学校点位测评督查标准, issue 29):
# (number, title, standard, kind, sample size, needed), a section heading as ("", heading, …, "group").
POINT_CHECKLIST = ("中小学校点位测评督查标准", "从学校大门口往里走200米；逐项达标 / 不达标，按达标率计", [
    ("（一）", "校园及教室内有学生守则展示", "从学校大门口往里走200米，随机抽选2间教室查看。校园及教室内均有为达标，其余为不达标。",
     "sampling", 2, 2),
    ("（二）", "校内刊播公益广告，校园及教室内张贴社会主义核心价值观主题词",
     "校园内至少2幅及以上公益广告，1幅及以上核心价值观宣传；2间教室均有核心价值观宣传。达到要求者视为达标，其余为不达标。",
     "passfail", None, None),
    ("（三）", "随机抽取5名学生背诵社会主义核心价值观12个主题词", "3名及以上学生都能背诵社会主义价值观的为达标，其余为不达标。",
     "sampling", 5, 3),
    ("（七）", "物防、技防设施正常使用", "", "passfail", None, None),
    ("", "考察校园周边", "", "group", None, None),
    ("（八）", "校园周边无互联网上网营业场所、电子游戏场所，无歌厅、舞厅、卡拉OK厅、游戏厅、台球厅等娱乐场所", "",
     "passfail", None, None),
    ("（十一）", "无从事非法经营活动的游商和无证照摊点", "", "passfail", None, None),
])


def _make_point_checklist(year):
    """The city's pass/fail checklist (no checks recorded with it: a clerk tries it in 新建督查)."""
    from ..models import Bureau

    city = Bureau.objects.default_city()
    name, description, rows = POINT_CHECKLIST
    template, created = CheckTemplate.objects.get_or_create(bureau=city, year=year, name=name,
                                                            defaults={"description": description})
    if not created:
        return template
    group = None
    for order, (number, title, standard, kind, size, needed) in enumerate(rows, start=1):
        item = CheckItem.objects.create(template=template, kind=kind, number=number, title=title, standard=standard,
                                        sample_size=size, sample_pass=needed, parent=group, sort_order=order)
        group = item if kind == "group" else group
    return template


def _check_days(today, rng):
    monday = today - datetime.timedelta(days=today.weekday())
    for weeks_ago in range(11, -1, -1):
        start = monday - datetime.timedelta(weeks=weeks_ago)
        yield weeks_ago, [start + datetime.timedelta(days=d) for d in range(5) if start + datetime.timedelta(days=d) <= today]


def _stories(bureau, inspector, today):
    """The rectification rules at work on the demo liaison's school, through the services: a problem
    answered on time and waiting for the re-check (the inspectors' 待复查超过 N 天, never the school's
    逾期), and one that failed its re-check and runs to the new deadline the inspector set."""
    from ..services import problems as service

    liaison = User.objects.filter(username="liaison", unit__bureau=bureau).select_related("unit").first()
    if liaison is None:
        return
    at = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=5), datetime.time(16, 0)))
    waiting = service.problem_raise(user=inspector, unit=liaison.unit, description="校门口宣传栏玻璃破损，存在安全隐患",
                                    found_on=today - datetime.timedelta(days=5),
                                    deadline=today - datetime.timedelta(days=4), photos=[_image("#a3c4f3", "#e07a5f")])
    service.problem_submit_rectification(problem=waiting, user=liaison, note="当天更换宣传栏玻璃，并加装防护条",
                                         photos=[_image("#8fb996", "#81b29a")])
    Problem.objects.filter(pk=waiting.pk).update(rectified_at=at)  # answered the day it was found
    ProblemEvent.objects.filter(problem=waiting, action=ProblemAction.SUBMIT).update(at=at)
    rejected = service.problem_raise(user=inspector, unit=liaison.unit, description="操场西侧绿化带内有塑料袋、纸屑",
                                     found_on=today - datetime.timedelta(days=1), deadline=today,
                                     photos=[_image("#cdb4db", "#f2cc8f")])
    service.problem_submit_rectification(problem=rejected, user=liaison, note="已组织学生清理",
                                         photos=[_image("#8fb996", "#f2cc8f")])
    service.problem_reject(problem=rejected, user=inspector, reason="复查时绿化带深处仍有垃圾，请彻底清理并建立巡查制度")


def load(out, *, bureau=None, per_week=10, seed=2026):
    """Twelve weeks of checks, their problems and two bulletins for one district (郾城区 unless told)."""
    from ..models import CampaignYear
    from .core import city_and_yancheng

    bureau = bureau or city_and_yancheng()[1]
    year = CampaignYear.objects.current()
    if year is None or Check.objects.filter(year=year, unit__bureau=bureau).exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    staff = User.objects.filter(unit__bureau=bureau).order_by("pk")
    admin = staff.filter(role=Role.ADMIN).first()
    inspector = staff.filter(role=Role.INSPECTOR).first() or admin
    units = list(Unit.objects.active().filter(bureau=bureau).exclude(name__in=SKIP_UNITS))
    schools = [u for u in units if u.kind == UnitKind.SCHOOL]
    sections = [u for u in units if u.kind != UnitKind.SCHOOL and u.name not in ("局办公室（文明办）", "督导室")]
    liaisons = _liaisons(units)
    school_tpl, mock_tpl, section_tpl = _make_templates(year, rng)
    _make_point_checklist(year)
    items = {t.pk: list(t.items.all()) for t in (school_tpl, mock_tpl, section_tpl)}
    favourites = [u for u in schools if u.code in ("school01", "school02")]

    checks, plans = [], []
    for weeks_ago, days in _check_days(today, rng):
        if not days:
            continue
        others = [s for s in schools if s not in favourites]
        picked = favourites + rng.sample(others, min(per_week, len(others)))
        for unit in picked:
            kind = rng.choices([CheckKind.ROUTINE, CheckKind.UNANNOUNCED, CheckKind.MOCK], [6, 2, 2])[0]
            plans.append((unit, rng.choice(days), kind, school_tpl if kind == CheckKind.ROUTINE else mock_tpl, weeks_ago))
        for unit in rng.sample(sections, min(3, len(sections))):
            plans.append((unit, rng.choice(days), CheckKind.SANITATION, section_tpl, weeks_ago))
    score_rows = []
    for unit, date, kind, template, weeks_ago in plans:
        strength = rng.uniform(0.62, 0.98)
        scores = [(item, Decimal(round(float(item.max_points) * min(1, strength + rng.uniform(-0.1, 0.1)) * 2) / 2))
                  for item in items[template.pk]]
        draft = weeks_ago == 0 and rng.random() < 0.3
        at = timezone.make_aware(datetime.datetime.combine(date, datetime.time(16, 30)))
        check = Check(year=year, unit=unit, date=date, iso_year=date.isocalendar()[0], iso_week=date.isocalendar()[1],
                      kind=kind, template=template, created_by=inspector,
                      remarks="整体情况良好，个别方面有待加强。" if strength > 0.8 else "存在问题较多，需立即整改。",
                      total=sum(s for _, s in scores), max_total=sum(i.max_points for i in items[template.pk]),
                      status=CheckStatus.DRAFT if draft else CheckStatus.SUBMITTED,
                      submitted_by=None if draft else inspector, submitted_at=None if draft else at)
        checks.append(check)
        score_rows.append(scores)
    bulk_create_with_history(checks, Check, default_user=inspector)
    checks = list(Check.objects.filter(year=year, unit__bureau=bureau).order_by("pk"))
    CheckScore.objects.bulk_create([CheckScore(check_record=c, item=item, score=s, applicable=item.max_points)
                                    for c, scores in zip(checks, score_rows) for item, s in scores])
    Check.inspectors.through.objects.bulk_create(
        [Check.inspectors.through(check_id=c.pk, user_id=inspector.pk) for c in checks])

    # A few generated photos, shared by many rows.
    samples = [CheckPhoto.build(_image(color, mark), uploaded_by=inspector, check_record=checks[-1])
               for color, mark in (("#8fb996", "#e07a5f"), ("#a3c4f3", "#f2cc8f"), ("#cdb4db", "#81b29a"))]
    for photo in samples:
        photo.save()
    photo_fields = ["original", "display", "thumbnail", "original_name", "width", "height", "sha256"]

    def clone(model, sample, **fields):
        fields.setdefault("uploaded_by", sample.uploaded_by)
        return model(**{f: getattr(sample, f) for f in photo_fields}, **fields)

    CheckPhoto.objects.bulk_create([clone(CheckPhoto, rng.choice(samples), check_record=c)
                                    for c in checks[:-1] if c.date >= today - datetime.timedelta(days=28)])
    after_sample = samples[1]

    problems, stories = [], []
    for check in checks:
        if check.is_draft or check.percent >= 88:
            continue
        pool = PROBLEMS[[school_tpl.pk, mock_tpl.pk, section_tpl.pk].index(check.template_id)]
        for description in rng.sample(pool, 1 if check.percent >= 78 else 2):
            age = (today - check.date).days
            deadline = check.date + datetime.timedelta(days=rng.choice([1, 1, 1, 2, 3]))
            if age > 14:
                status = rng.choices([ProblemStatus.CLOSED, ProblemStatus.RECTIFYING, ProblemStatus.OPEN], [90, 5, 5])[0]
            elif age > 3:
                status = rng.choices(list(ProblemStatus), [10, 20, 25, 45])[0]
            else:
                status = rng.choices(list(ProblemStatus), [50, 25, 15, 10])[0]
            liaison = liaisons.get(check.unit_id)
            problems.append(Problem(year=year, unit=check.unit, check_record=check, description=description,
                                    found_on=check.date, iso_year=check.iso_year, iso_week=check.iso_week,
                                    deadline=deadline, status=status, raised_by=inspector,
                                    indicator=rng.choice(items[check.template_id]).indicator))
            stories.append((check, liaison, status))
    for problem, (check, liaison, status) in zip(problems, stories):
        found = timezone.make_aware(datetime.datetime.combine(check.date, datetime.time(17, 0)))
        done = min(found + datetime.timedelta(hours=rng.randint(5, 40)), now)
        if status in (ProblemStatus.REVIEW, ProblemStatus.CLOSED):
            problem.rectification, problem.rectified_by, problem.rectified_at = rng.choice(RECTIFICATIONS), liaison, done
        if status == ProblemStatus.CLOSED:
            problem.closed_by = inspector
            problem.closed_at = min(done + datetime.timedelta(hours=rng.randint(2, 30)), now)
            problem.recheck_note = "复查通过，予以销号。"
    bulk_create_with_history(problems, Problem, default_user=inspector)
    problems = list(Problem.objects.filter(year=year, unit__bureau=bureau).order_by("pk"))
    events, photos = [], []
    for problem, (check, liaison, status) in zip(problems, stories):
        found = timezone.make_aware(datetime.datetime.combine(check.date, datetime.time(17, 0)))
        events.append(ProblemEvent(problem=problem, action=ProblemAction.RAISE, to_status=ProblemStatus.OPEN,
                                   actor=inspector, at=found))
        photos.append(clone(ProblemPhoto, rng.choice(samples), problem=problem, stage=PhotoStage.BEFORE))
        if status != ProblemStatus.OPEN:
            started = min(found + datetime.timedelta(hours=2), now)
            events.append(ProblemEvent(problem=problem, action=ProblemAction.START, from_status=ProblemStatus.OPEN,
                                       to_status=ProblemStatus.RECTIFYING, actor=liaison, at=started))
        if problem.rectified_by_id:
            events.append(ProblemEvent(problem=problem, action=ProblemAction.SUBMIT,
                                       from_status=ProblemStatus.RECTIFYING, to_status=ProblemStatus.REVIEW,
                                       actor=liaison, at=problem.rectified_at, note=problem.rectification))
            photos.append(clone(ProblemPhoto, after_sample, problem=problem, stage=PhotoStage.AFTER,
                                uploaded_by=liaison))
        if problem.closed_by_id:
            events.append(ProblemEvent(problem=problem, action=ProblemAction.CLOSE, from_status=ProblemStatus.REVIEW,
                                       to_status=ProblemStatus.CLOSED, actor=inspector, at=problem.closed_at,
                                       note=problem.recheck_note))
    ProblemEvent.objects.bulk_create(events)
    ProblemPhoto.objects.bulk_create(photos)
    _stories(bureau, inspector, today)

    # Two published bulletins: the weeks before this one.
    for weeks_ago in (2, 1):
        iso_year, iso_week = (today - datetime.timedelta(weeks=weeks_ago)).isocalendar()[:2]
        bulletin = bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
        bulletin_publish(bulletin=bulletin, user=admin)
    out(f"{bureau.label}：检查表 {len(TEMPLATES)} 张，督查记录 {len(checks)} 条，整改问题 {len(problems)} 个"
        f"（逾期 {Problem.objects.in_bureau_id(bureau.pk).overdue().count()} 个），已发布通报 2 期")
