"""Demo activity archives: ~60 activities with small generated photos across the demo units,
in every status, a few photos taken days away from the activity and one photo reused."""
import io
import random
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ..models import (Activity, ActivityCategory, ActivityPhoto, ActivityStatus, CampaignYear, Indicator, Role,
                      Unit, User)

# (title, category, place, participants, organizer, indicator code)
ACTIVITIES = [
    ("清明节“网上祭英烈”主题活动", "我们的节日", "学校多功能厅", "四至六年级学生 320 人", "德育处", "3.2.2"),
    ("红色之旅研学", "主题教育", "烈士陵园", "五年级师生 180 人", "少先队大队部", "2.1.2"),
    ("讲诚信故事比赛", "诚信建设", "学校报告厅", "各班选手 24 人", "语文教研组", "2.3"),
    ("爱心捐款", "关爱未成年人", "学校操场", "全体师生 500 人", "工会", "4.1"),
    ("敬老院慰问演出", "学雷锋志愿服务", "城关镇敬老院", "师生志愿者 40 人", "团委", "4.1"),
    ("道德经典诵读展示", "主题教育", "学校礼堂", "一至三年级学生 260 人", "语文教研组", "2.1.2"),
    ("学雷锋志愿服务进社区", "学雷锋志愿服务", "沙北社区", "五年级志愿者 60 人", "少先队大队部", "4.1"),
    ("文明礼仪伴我行主题班会", "文明礼仪", "各班教室", "全体学生", "政教处", "3.2.3"),
    ("宪法宣传日法治讲座", "法治宣传", "学校报告厅", "七年级学生 200 人", "法治副校长", "6.1"),
    ("端午节包粽子活动", "我们的节日", "学校食堂", "三年级师生 150 人", "德育处", "3.2.2"),
    ("文明交通劝导志愿服务", "志愿服务", "学校门口路口", "教师志愿者 16 人", "安全办", "4.1"),
    ("“小手拉大手，文明一起走”", "文明礼仪", "学校及社区", "全体学生及家长", "家长学校", "3.2.3"),
]
INDICATORS = [  # the same codes and titles as the task area's demo tree (ledgers/demo/tasks.py)
    ("3.2.2", "我们的节日", 3, True), ("2.1.2", "主题教育活动", 2, True),
    ("4.1", "学雷锋志愿服务", 3, True), ("2.3", "诚信建设", 0, False),
    ("3.2.3", "文明礼仪教育", 2, True), ("6.1", "法治宣传教育", 2, True),
]
CAPTIONS = ["{d}，{place}，{who}参加{title}", "{d}，{title}现场：{organizer}组织学生活动", "{d}，{place}，{title}合影留念"]
COLORS = ["#b3261e", "#1e6bb3", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037"]


def photo_bytes(rng, taken=None):
    image = Image.new("RGB", (480, 360), rng.choice(COLORS))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(0, 420), rng.randrange(0, 300)
        box = [x, y, x + rng.randrange(30, 160), y + rng.randrange(30, 120)]
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=rng.choice(COLORS))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def ensure_indicators(year):
    """Use the year's indicators when another area loaded them; else add the few used here."""
    from ..models import Bureau

    city = Bureau.objects.default_city()
    found = {i.code: i for i in Indicator.objects.filter(year=year, bureau=city,
                                                         code__in=[c for c, *_ in INDICATORS])}
    for code, title, min_photos, caption in INDICATORS:
        if code not in found:
            found[code] = Indicator.objects.get_or_create(
                year=year, code=code, bureau=city,
                defaults={"title": title, "min_photos": min_photos, "caption_required": caption})[0]
    return found


def load(out, *, bureau=None, count_wanted=60, seed=2026):
    """Activity archives with photos for one district (郾城区 unless told)."""
    from .core import city_and_yancheng

    bureau = bureau or city_and_yancheng()[1]
    if Activity.objects.filter(unit__bureau=bureau).exists():
        out(f"{bureau.label}活动档案：已有，跳过。")
        return
    rng = random.Random(seed)
    year = CampaignYear.objects.current()
    categories = {c.name: c for c in ActivityCategory.objects.ensure_defaults()}
    indicators = ensure_indicators(year)
    staff = User.objects.filter(unit__bureau=bureau).order_by("pk")
    admin = staff.filter(role=Role.ADMIN).first()
    inspector = staff.filter(role=Role.INSPECTOR).first() or admin
    liaisons = {u.unit_id: u for u in User.objects.filter(role=Role.LIAISON, unit__bureau=bureau)}
    schools = list(Unit.objects.filter(kind="school", bureau=bureau).order_by("sort_order")[:14])
    today = timezone.localdate()
    reused_bytes, count, photos = None, 0, 0
    for n in range(count_wanted):
        unit = schools[0] if n % 6 == 0 else schools[1] if n % 6 == 1 else rng.choice(schools[2:])
        title, cat, place, who, organizer, code = ACTIVITIES[n % len(ACTIVITIES)]
        day = today - timedelta(days=rng.randrange(0, 88))
        author = liaisons.get(unit.pk, admin)
        activity = Activity.objects.create(
            year=year, unit=unit, title=title, category=categories[cat], date=day, place=place, participants=who,
            organizer=organizer, summary=f"{organizer}组织开展{title}，{who}参加。活动紧扣创建要求，取得良好效果。",
            created_by=author)
        activity.indicators.add(indicators[code])
        for k in range(3 if indicators[code].min_photos >= 3 else 2 + n % 2):
            taken = None
            if k == 0:
                shift = 9 if n % 17 == 5 else 0  # a few photos taken long before the activity
                taken = datetime(day.year, day.month, day.day, 9 + k) - timedelta(days=shift)
            content = photo_bytes(rng, taken)
            if n == 1 and k == 0:
                reused_bytes = content
            if n == 7 and k == 0 and reused_bytes:  # the same photo in a second archive
                content = reused_bytes
            caption = "" if (n % 11 == 3 and k == 1) else CAPTIONS[k % 3].format(
                d=f"{day.month}月{day.day}日", place=place, who=who, title=title, organizer=organizer)
            photo = ActivityPhoto.build(SimpleUploadedFile(f"IMG_{2000 + n * 3 + k}.jpg", content),
                                        uploaded_by=author, activity=activity, caption=caption, sort_order=k)
            photo.save()
            photos += 1
        # statuses: recent ones mostly drafts or waiting, older ones reviewed
        fate = rng.random()
        if not activity.evidence_problems() and (day < today - timedelta(days=5) or fate < 0.5):
            now = timezone.now()
            activity.status, activity.submitted_at, activity.submitted_by = ActivityStatus.SUBMITTED, now, author
            if day < today - timedelta(days=12):
                activity.reviewed_at, activity.reviewed_by = now, inspector
                if fate < 0.12:
                    activity.status = ActivityStatus.RETURNED
                    activity.return_reason = "照片说明过于简单，请写明时间、地点、人物、事件、成效。"
                else:
                    activity.status = ActivityStatus.APPROVED
                    if fate > 0.4:
                        activity.uploaded_to_city, activity.uploaded_to_city_on = True, day + timedelta(days=2)
            activity.save()
        count += 1
    out(f"{bureau.label}：活动档案 {count} 项，照片 {photos} 张")
