"""The rest of the demo city: 漯河市教育局's own units and logins, and two more districts
(源汇区, 召陵区) with their own units, logins and a year of smaller ledgers, so that the city's
dashboard compares three districts. Idempotent, like every demo step."""

from ..models import Bureau, BureauKind, Role, Unit, UnitKind, User
from . import activities, checks, tasks
from .core import BUREAU_HEADS, city_and_yancheng, head_of

CITY_UNITS = [
    # (name, kind, code, contact)
    ("市教育局办公室（文明办）", UnitKind.SECTION, "city-bgs", "赵文华"),
    ("市教育局督导室", UnitKind.SECTION, "city-dds", "钱玉洁"),
    ("漯河市第一高级中学", UnitKind.SCHOOL, "city-yigao", "孙建国"),
    ("漯河市实验中学", UnitKind.SCHOOL, "city-shiyan", "李晓梅"),
]

DISTRICTS = [
    # (bureau name, short name, code, schools, admin login, inspector login)
    ("漯河市源汇区教育局", "源汇区", "yuanhui",
     ["源汇区实验小学", "源汇区第二实验小学", "源汇区马路街小学", "源汇区干河陈小学", "源汇区实验中学",
      "源汇区第二初级中学", "源汇区阴阳赵镇中心小学", "源汇区大刘镇初级中学"],
     "district2", "district2_inspector"),
    ("漯河市召陵区教育局", "召陵区", "zhaoling",
     ["召陵区实验小学", "召陵区第二实验小学", "召陵区天桥街小学", "召陵区实验中学", "召陵区老窝镇中心小学",
      "召陵区万金镇初级中学"],
     "district3", "district3_inspector"),
]

PEOPLE = ["周海燕", "吴国强", "郑丽娟", "王志刚", "冯晓东", "陈秀兰", "褚建平", "卫晓红", "蒋志明", "沈丽华",
          "韩国庆", "杨晓燕", "朱文杰", "秦雪梅", "尤志刚", "许丽萍"]


def _unit(bureau, name, kind, code, contact, order):
    return Unit.objects.update_or_create(
        bureau=bureau, name=name, defaults={"kind": kind, "code": code, "contact_name": contact,
                                            "head_name": head_of(order + 3), "sort_order": order})[0]


def _user(username, name, role, unit, password):
    user, created = User.objects.get_or_create(username=username,
                                               defaults={"name": name, "role": role, "unit": unit})
    if created:
        user.password = password
        user.save()
    return user


def load(out):
    from .core import password_hash

    password = password_hash()
    city, _ = city_and_yancheng()
    units = [_unit(city, name, kind, code, contact, order) for order, (name, kind, code, contact)
             in enumerate(CITY_UNITS)]
    _user("city", "赵文华", Role.ADMIN, units[0], password)
    _user("city_inspector", "钱玉洁", Role.INSPECTOR, units[1], password)
    _user("city_leader", "马国华", Role.LEADER, units[0], password)
    for order, (name, short, code, schools, admin_login, inspector_login) in enumerate(DISTRICTS, start=2):
        head, deputy = BUREAU_HEADS[code]
        bureau, _ = Bureau.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "kind": BureauKind.DISTRICT, "parent": city,
                                 "sort_order": order, "head_name": head, "deputy_head_name": deputy})
        office = _unit(bureau, f"{short}教育局办公室", UnitKind.SECTION, f"{code}-bgs", PEOPLE[order], 0)
        supervision = _unit(bureau, f"{short}教育局督导室", UnitKind.SECTION, f"{code}-dds", PEOPLE[order + 4], 1)
        _unit(bureau, f"{short}教研室", UnitKind.AFFILIATE, f"{code}-jys", PEOPLE[order + 6], 2)
        for i, school in enumerate(schools):
            unit = _unit(bureau, school, UnitKind.SCHOOL, f"{code}-school{i + 1:02d}", PEOPLE[(i + order) % 16],
                         100 + i)
            _user(f"lianluo_{unit.code}", f"{school}联络员", Role.LIAISON, unit, password)
        _user(admin_login, f"{short}文明办", Role.ADMIN, office, password)
        _user(inspector_login, f"{short}督导组", Role.INSPECTOR, supervision, password)
        seed = 2026 + order
        tasks.load(out, bureau=bureau, tasks_count=16, seed=seed)
        checks.load(out, bureau=bureau, per_week=4, seed=seed)
        activities.load(out, bureau=bureau, count_wanted=10, seed=seed)
    out(f"全市：{Bureau.objects.districts().count()} 个区县，{Unit.objects.count()} 个单位，"
        f"{User.objects.count()} 个账号")
