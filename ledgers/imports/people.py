"""The bureau's unit list and its liaisons.

Units: name, kind (股室 / 学校 / 幼儿园 / 直属单位; guessed from the name when empty), contact,
phone, aliases. A unit is matched by name or alias: re-importing updates contact and phone.
Users: name, phone, unit (as typed: aliases and near-miss suggestions), role, login name (else the
phone number, else the unit's code). New accounts get a one-time initial password.
Both write only the importing admin's own bureau: new units join it, and a name, alias or login
name that belongs to another bureau's unit is an error for that row (names are unique city-wide).
"""
import re

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from ..models import Role, Unit, UnitAlias, UnitKind, User
from ..services.units import account_create, free_username, unit_create, unit_update
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .sheet import clean
from .units import SEPARATORS, UnitIndex

KIND_WORDS = [("幼儿园", UnitKind.SCHOOL), ("学校", UnitKind.SCHOOL), ("小学", UnitKind.SCHOOL),
              ("中学", UnitKind.SCHOOL), ("学", UnitKind.SCHOOL), ("股室", UnitKind.SECTION),
              ("股", UnitKind.SECTION), ("室", UnitKind.SECTION), ("办", UnitKind.SECTION),
              ("直属", UnitKind.AFFILIATE), ("中心", UnitKind.AFFILIATE), ("站", UnitKind.AFFILIATE)]
ROLE_WORDS = [("管理员", Role.ADMIN), ("文明办", Role.ADMIN), ("督导", Role.INSPECTOR), ("领导", Role.LEADER),
              ("联络员", Role.LIAISON), ("信息员", Role.LIAISON)]
PHONE = re.compile(r"^\+?[\d\-\s]{7,20}$")


def _key(text):
    return re.sub(r"\s+", "", text or "")


def kind_from(text, name=""):
    for word, kind in KIND_WORDS:
        if text and word in text:
            return kind
    if text:
        return None
    for word, kind in KIND_WORDS:
        if word in name:
            return kind
    return UnitKind.AFFILIATE


def _phone(value, reasons):
    text = clean(value)
    if text and not PHONE.match(text):
        reasons.append(f"电话“{text}”不是有效号码")
    return re.sub(r"\s+", "", text)


class UnitImporter(Importer):
    kind = "units"
    title = "单位"
    fields = [("name", "单位名称"), ("kind", "单位类别"), ("code", "简码"), ("contact_name", "联系人"),
              ("contact_phone", "联系电话"), ("aliases", "别名/简称"), ("note", "备注")]
    aliases = {"单位名称": "name", "单位": "name", "名称": "name", "学校名称": "name", "单位全称": "name",
               "单位类别": "kind", "类别": "kind", "类型": "kind", "单位类型": "kind",
               "简码": "code", "代码": "code", "单位代码": "code",
               "联系人": "contact_name", "联络员": "contact_name", "负责人": "contact_name",
               "联系电话": "contact_phone", "电话": "contact_phone", "手机": "contact_phone", "手机号": "contact_phone",
               "别名": "aliases", "简称": "aliases", "常用名": "aliases", "备注": "note"}
    required = {"name": "单位名称"}
    multi = ("aliases", "note")
    preview_headers = ["单位名称", "类别", "联系人", "联系电话", "别名"]
    needs_year = False

    def check(self, rows, *, year=None, user, **_):
        bureau = user.owning_bureau()
        # Unit names and aliases are unique within a bureau: match among the importer's own only
        # (another district may have a unit of the same name).
        units = {_key(u.name): u for u in Unit.objects.filter(bureau=bureau)}
        alias_owner = {_key(a.name): a.unit for a in UnitAlias.objects.filter(unit__bureau=bureau).select_related("unit")}
        codes = set(Unit.objects.values_list("code", flat=True))
        seen, results = {}, []
        for row in rows:
            v, reasons = row.values, []
            name = clean(v.get("name"))
            kind_text = clean(v.get("kind"))
            kind = kind_from(kind_text, name)
            if kind is None:
                reasons.append(f"单位类别“{kind_text}”应为 股室、学校、幼儿园 或 直属单位")
            code = clean(v.get("code")).lower()
            if code and not re.fullmatch(r"[a-z0-9_-]{1,30}", code):
                reasons.append(f"简码“{code}”只能用字母、数字")
            phone = _phone(v.get("contact_phone"), reasons)
            aliases = [a.strip() for x in v.get("aliases") or [] for a in SEPARATORS.split(clean(x)) if a.strip()]
            if not name:
                reasons.append("缺少单位名称")
            elif _key(name) in seen:
                reasons.append(f"与第 {seen[_key(name)]} 行重复")
            else:
                seen[_key(name)] = row.number
            current = units.get(_key(name)) or alias_owner.get(_key(name))
            for alias in aliases:
                owner = units.get(_key(alias)) or alias_owner.get(_key(alias))
                if owner is not None and owner != current:
                    reasons.append(f"别名“{alias}”已属于{owner.name}")
            cells = [name, UnitKind(kind).label if kind else kind_text, clean(v.get("contact_name")), phone,
                     "、".join(aliases)]
            if current is None and code and code in codes:
                reasons.append(f"简码“{code}”已被使用")
            if reasons:
                results.append(RowResult(row.number, ERROR, cells, "；".join(reasons)))
                continue
            fields = {"kind": kind, "contact_name": clean(v.get("contact_name"))[:50], "contact_phone": phone[:30]}
            new_aliases = [a for a in aliases if _key(a) != _key(name)
                           and (current is None or alias_owner.get(_key(a)) != current)]
            plan = {"unit": current, "name": name[:100], "code": code, "fields": fields, "aliases": new_aliases}
            if current is None:
                results.append(RowResult(row.number, CREATE, cells, "", plan))
                continue
            changes = [label for field_name, label in (("kind", "类别"), ("contact_name", "联系人"),
                                                      ("contact_phone", "联系电话"))
                       if fields[field_name] and getattr(current, field_name) != fields[field_name]]
            if new_aliases:
                changes.append(f"新增别名 {'、'.join(new_aliases)}")
            plan["fields"] = {k: val for k, val in fields.items() if val}
            status = UPDATE if changes else SAME
            message = ("、".join(changes) + " 有变化") if changes else ""
            if current.name != name:
                message = f"按别名匹配到 {current.name}；" + message
            results.append(RowResult(row.number, status, cells, message.strip("；"), plan))
        return results

    def apply(self, results, *, year, user, **_):
        created = updated = 0
        for result in results:
            plan = result.plan
            if plan["unit"] is None:
                unit_create(name=plan["name"], code=plan["code"], user=user, aliases=plan["aliases"], **plan["fields"])
                created += 1
            else:
                unit_update(unit=plan["unit"], user=user, aliases=plan["aliases"], **plan["fields"])
                updated += 1
        return {"created": created, "updated": updated}


class UserImporter(Importer):
    kind = "users"
    title = "联络员账号"
    fields = [("name", "姓名"), ("phone", "手机号"), ("unit", "所属单位"), ("role", "角色"),
              ("username", "登录名"), ("note", "备注")]
    aliases = {"姓名": "name", "联络员": "name", "联络员姓名": "name", "联系人": "name",
               "手机号": "phone", "手机": "phone", "联系电话": "phone", "电话": "phone", "手机号码": "phone",
               "所属单位": "unit", "单位": "unit", "单位名称": "unit", "工作单位": "unit",
               "角色": "role", "职务": "role", "身份": "role",
               "登录名": "username", "用户名": "username", "账号": "username", "备注": "note"}
    required = {"name": "姓名", "unit": "所属单位"}
    multi = ("note",)
    preview_headers = ["姓名", "所属单位", "角色", "登录名", "手机号"]
    needs_year = False

    def check(self, rows, *, year=None, user, **_):
        bureau = user.owning_bureau()
        index = UnitIndex(user)
        users = {u.username: u for u in User.objects.select_related("unit")}
        by_name_unit = {(u.name, u.unit_id): u for u in users.values() if u.name}
        taken = set(users)
        seen, results = {}, []
        validate = UnicodeUsernameValidator()
        for row in rows:
            v, reasons = row.values, []
            name = clean(v.get("name"))
            if not name:
                reasons.append("缺少姓名")
            unit, why = index.one(v.get("unit"), several="所属单位应填一个单位", missing="缺少所属单位")
            if why:
                reasons.append(why)
            role_text = clean(v.get("role"))
            role = next((r for word, r in ROLE_WORDS if word in role_text), None) if role_text else Role.LIAISON
            if role is None:
                reasons.append(f"角色“{role_text}”应为 联络员、督导组、局领导 或 管理员")
            phone = _phone(v.get("phone"), reasons)
            username = clean(v.get("username"))
            current = users.get(username) if username else None
            if current is not None and (current.unit is None or current.unit.bureau_id != bureau.pk):
                reasons.append(f"登录名“{username}”已被其他教育局的账号使用")
                current = None
            if current is None and unit is not None:
                current = by_name_unit.get((name, unit.pk))
            if username and current is None:
                try:
                    validate(username)
                except ValidationError:
                    reasons.append(f"登录名“{username}”只能用字母、数字和 @ . + - _")
            if current is not None:
                username = current.username
            elif not username:
                digits = re.sub(r"\D", "", phone)
                username = digits if len(digits) == 11 and digits not in taken else \
                    free_username(f"{unit.code}_{name}" if unit else name)
            if username in seen:
                reasons.append(f"登录名 {username} 与第 {seen[username]} 行重复")
            seen[username] = row.number
            cells = [name, unit.name if unit else clean(v.get("unit")), Role(role).label if role else role_text,
                     username, phone]
            if reasons:
                results.append(RowResult(row.number, ERROR, cells, "；".join(reasons)))
                continue
            taken.add(username)
            plan = {"user": current, "username": username, "name": name[:50], "unit": unit, "role": role,
                    "phone": phone[:30]}
            if current is None:
                results.append(RowResult(row.number, CREATE, cells, "将生成初始密码", plan))
                continue
            changes = []
            if current.name != plan["name"]:
                changes.append("姓名")
            if current.unit_id != unit.pk:
                changes.append("所属单位")
            if current.role != role:
                changes.append("角色")
            if phone and current.phone != plan["phone"]:
                changes.append("手机号")
            status = UPDATE if changes else SAME
            results.append(RowResult(row.number, status, cells,
                                     ("、".join(changes) + " 有变化，密码不变") if changes else "账号已存在", plan))
        return results

    def apply(self, results, *, year, user, **_):
        created = updated = 0
        credentials = []
        for result in results:
            plan = result.plan
            if plan["user"] is None:
                account, password = account_create(username=plan["username"], name=plan["name"], unit=plan["unit"],
                                                   role=plan["role"], phone=plan["phone"], user=user)
                credentials.append({"name": account.name, "unit": account.unit.name, "username": account.username,
                                    "password": password, "role": account.get_role_display()})
                created += 1
            else:
                account = plan["user"]
                account.name, account.unit, account.role = plan["name"], plan["unit"], plan["role"]
                if plan["phone"]:
                    account.phone = plan["phone"]
                account.save()
                updated += 1
        return {"created": created, "updated": updated, "credentials": credentials}
