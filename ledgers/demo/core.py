"""Demo bureaus (漯河市教育局 → 郾城区 …), units, the current campaign year and the demo logins.

郾城区 is the full demo district (its logins unchanged); the other districts and the city's own
units come from `ledgers.demo.districts`.
"""
import functools

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ..models import Bureau, BureauKind, CampaignYear, Role, Unit, UnitKind, User
from ..models.core import short_bureau_name

PASSWORD = "wenming2026"  # every demo account's


@functools.cache
def password_hash():
    """PASSWORD hashed once per process for every demo account (each hash takes about 0.3 s: the demo
    made eleven of them, 3 s of every load)."""
    return make_password(PASSWORD)


def city_and_yancheng():
    """The city bureau and 郾城区 (the first district), created once."""
    city = Bureau.objects.city()
    if city is None:
        city = Bureau.objects.create(kind=BureauKind.CITY, name=settings.CITY_BUREAU_NAME,
                                     short_name=settings.CITY_BUREAU_NAME, code="city")
    yancheng = Bureau.objects.filter(name=settings.BUREAU_NAME).first() or Bureau.objects.default_district()
    if yancheng.parent_id != city.pk or not yancheng.short_name:
        yancheng.parent, yancheng.short_name = city, yancheng.short_name or short_bureau_name(yancheng.name)
        yancheng.save()
    return city, yancheng

SECTIONS = [
    # (name, kind, code, contact)
    ("局办公室（文明办）", UnitKind.SECTION, "bgs", "王建华"),
    ("人事股", UnitKind.SECTION, "rsg", "李红梅"),
    ("计划财务股", UnitKind.SECTION, "jcg", "张志强"),
    ("基础教育股", UnitKind.SECTION, "jjg", "刘晓燕"),
    ("职业与成人教育股", UnitKind.SECTION, "zcg", "陈国栋"),
    ("安全稳定股", UnitKind.SECTION, "aqg", "赵永刚"),
    ("督导室", UnitKind.SECTION, "ddshi", "孙丽娟"),
    ("教研室", UnitKind.AFFILIATE, "jys", "周文斌"),
    ("学生资助管理中心", UnitKind.AFFILIATE, "zzzx", "吴海霞"),
    ("电教仪器站", UnitKind.AFFILIATE, "djz", "郑晓东"),
]

SCHOOLS = [
    "郾城区第一实验小学", "郾城区第二实验小学", "郾城区第三实验小学", "郾城区实验中学",
    "郾城区第二初级中学", "郾城区第三初级中学", "郾城区第四初级中学", "郾城区实验幼儿园",
    "郾城区城关镇中心小学", "郾城区龙城镇中心小学", "郾城区商桥镇中心小学", "郾城区新店镇中心小学",
    "郾城区黑龙潭镇中心小学", "郾城区李集镇中心小学", "郾城区孟庙镇中心小学", "郾城区裴城镇中心小学",
    "郾城区裴城镇第一初级中学", "郾城区龙城镇初级中学", "郾城区商桥镇初级中学", "郾城区新店镇初级中学",
    "郾城区黑龙潭镇初级中学", "郾城区李集镇初级中学", "郾城区孟庙镇初级中学", "郾城区沙北小学",
    "郾城区淞江小学", "郾城区嵩山路小学", "郾城区长江路小学", "郾城区黄河路小学",
    "郾城区特殊教育学校", "郾城区职业教育中心",
]

CONTACTS = ["马晓丽", "杨志伟", "黄春燕", "朱海涛", "胡秀英", "郭建军", "何晓静", "高玉梅", "林志明", "罗丽华",
            "梁国庆", "宋晓红", "谢文杰", "韩雪梅", "唐志刚", "冯丽萍", "于海燕", "董建平", "萧玉兰", "程晓峰",
            "曹丽君", "袁志勇", "邓秀梅", "许晓东", "傅丽娜", "沈国华", "曾晓燕", "彭建新", "吕秀兰", "苏志强"]

# 单位主要负责人 (校长 / 股长): the letters' 乙方 signatories; never the liaison.
HEADS = ["刘建国", "张秀英", "王志强", "李桂兰", "陈国华", "杨文军", "赵春梅", "黄志明", "周建新", "吴丽娟",
         "徐海波", "孙玉华", "胡国栋", "朱红霞", "高建平", "林秀珍", "何志勇", "郭丽萍", "马文斌", "罗建军"]
# 局主要负责人 and 分管负责人 of each bureau: the letters' 甲方 signatories.
BUREAU_HEADS = {"city": ("杜宏伟", "潘立新"), "yuanhui": ("孔繁荣", "邢晓光"), "zhaoling": ("贺振东", "卢秀芳")}
YANCHENG_HEADS = ("李国伟", "张爱华")


def head_of(order):
    return HEADS[order % len(HEADS)]


# (username, name, role, unit name)
USERS = [
    ("admin", "王建华", Role.ADMIN, "局办公室（文明办）"),
    ("inspector", "孙丽娟", Role.INSPECTOR, "督导室"),
    ("leader", "陈志远", Role.LEADER, "局办公室（文明办）"),
    ("liaison", "马晓丽", Role.LIAISON, "郾城区第一实验小学"),
    ("liaison2", "杨志伟", Role.LIAISON, "郾城区第二实验小学"),
]


def load(out):
    city, yancheng = city_and_yancheng()
    for bureau, (head, deputy) in ((yancheng, YANCHENG_HEADS), (city, BUREAU_HEADS["city"])):
        if not bureau.head_name:
            bureau.head_name, bureau.deputy_head_name = head, deputy
            bureau.save()
    for order, (name, kind, code, contact) in enumerate(SECTIONS):
        Unit.objects.update_or_create(
            bureau=yancheng, name=name,
            defaults={"kind": kind, "code": code, "contact_name": contact, "head_name": head_of(order + 7),
                      "contact_phone": f"0395-61{order:02d}{order * 7 % 100:02d}0", "sort_order": order},
        )
    for i, name in enumerate(SCHOOLS):
        kind = UnitKind.SCHOOL
        Unit.objects.update_or_create(
            bureau=yancheng, name=name,
            defaults={"kind": kind, "code": f"school{i + 1:02d}", "contact_name": CONTACTS[i], "head_name": head_of(i),
                      "contact_phone": f"13{(i * 7) % 10}{(i * 48271 + 3512769) % 100000000:08d}", "sort_order": 100 + i},
        )
    year = timezone.localdate().year
    CampaignYear.objects.update_or_create(
        year=year, defaults={"title": f"{year}年度文明创建", "is_current": True}
    )
    for username, name, role, unit_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"name": name, "role": role, "unit": Unit.objects.get(bureau=yancheng, name=unit_name)},
        )
        if created:
            user.password = password_hash()
            user.save()
    out(f"单位 {Unit.objects.count()} 个，用户 {User.objects.count()} 个，当前年度 {year}")
