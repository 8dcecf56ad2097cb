"""The weekly bulletin (每周督查通报): its figures as plain data, and drafting / publishing it.

`bulletin_data(iso_year, iso_week)` is the one source of what a bulletin shows (HTML page and
PDF alike); it returns only JSON-safe values, so that publishing can freeze it as the
bulletin's snapshot. `week_ranking` ranks units by their average score rate that week.
"""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from .. import rules
from ..models import Bulletin, BulletinStatus, CampaignYear, Check, Problem, Role
from ..params import to_int, year_in_range
from .ranking import score_ranking
from . import notifications
from .notifications import after_commit

PRAISE_TOP = 3
CRITICISE_BOTTOM = 3
OVERDUE_LIST_LIMIT = 30
VETO_REASON = "督查中一票否决项不达标，检查不合格"


week_bounds = rules.week_bounds


def parse_week(text):
    """"2026-W10" (what <input type="week"> sends) -> (2026, 10), or None."""
    try:
        year_part, week_part = (text or "").strip().upper().split("-W")
        iso_year, iso_week = to_int(year_part), to_int(week_part)
        if not year_in_range(iso_year) or iso_week is None:
            return None
        datetime.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError:
        return None
    return iso_year, iso_week


def week_value(iso_year, iso_week):
    return f"{iso_year}-W{iso_week:02d}"


def week_ranking(iso_year, iso_week, bureau=None):
    """Units checked in the week, ranked by their score rate (得分率); ties share a rank.

    Each row: unit_id, unit, checks, average (mean total), rate (percent, one decimal, as text),
    vetoed (figures with a 一票否决 不合格 check: ranked last), rank. A unit checked twice with one template counts once, at the mean of the two; drafts never
    count. Ranks go 1, 2, 2, 4 when two units tie (see ledgers.services.ranking).
    """
    ranking = score_ranking(Check.objects.in_bureau(bureau).for_week(iso_year, iso_week))
    for row in ranking:
        # JSON-safe: a published bulletin freezes these rows.
        del row["total_sum"], row["rate_sum"]
        row["average"], row["rate"] = str(row["average"]), str(row["rate"])
    return ranking


def bulletin_data(iso_year, iso_week, today=None, bureau=None, year=None):
    """Everything a weekly bulletin shows, as JSON-safe plain data.

    `bureau`: a district's bulletin covers its units; the city's (or None) every unit. `year`: the
    bulletin's campaign year, whose 督导组 it names (else the groups of the year the week begins in).
    """
    today = today or timezone.localdate()
    start, end = week_bounds(iso_year, iso_week)
    ranking = week_ranking(iso_year, iso_week, bureau)
    problems = Problem.objects.in_bureau(bureau)
    # A unit whose check failed a 一票否决 item is never praised, and is criticised for it.
    praised = [r for r in ranking if r["rank"] <= PRAISE_TOP and not r["vetoed"]]
    praised_ids = {r["unit_id"] for r in praised}
    criticised = []
    if len(ranking) > PRAISE_TOP:
        cutoff = ranking[-CRITICISE_BOTTOM]["rank"] if len(ranking) >= CRITICISE_BOTTOM else ranking[0]["rank"]
        criticised = [{"unit_id": r["unit_id"], "unit": r["unit"],
                       "reason": VETO_REASON if r["vetoed"] else f"本周得分率 {r['rate']}%，排名靠后"}
                      for r in ranking if (r["rank"] >= cutoff or r["vetoed"]) and r["unit_id"] not in praised_ids]
    else:
        criticised = [{"unit_id": r["unit_id"], "unit": r["unit"], "reason": VETO_REASON} for r in ranking if r["vetoed"]]
    overdue = problems.overdue(today).select_related("unit").order_by("unit__sort_order", "deadline", "pk")
    # 逾期 is the unit's (not answered by the deadline in force); what waits for the inspectors is theirs.
    overdue_by_unit = (problems.overdue(today).values("unit_id", "unit__name", "unit__sort_order")
                       .annotate(n=Count("pk")).order_by("unit__sort_order", "unit__name"))
    listed = {c["unit_id"]: c for c in criticised}
    for row in overdue_by_unit:
        reason = f"有 {row['n']} 个问题逾期未整改"
        if row["unit_id"] in listed:
            listed[row["unit_id"]]["reason"] += f"；{reason}"
        else:
            entry = {"unit_id": row["unit_id"], "unit": row["unit__name"], "reason": reason}
            criticised.append(entry)
            listed[row["unit_id"]] = entry
    week_problems = problems.for_week(iso_year, iso_week)
    return {
        "groups": week_groups(bureau, start, end, year),
        "iso_year": iso_year, "iso_week": iso_week,
        "week_label": f"{iso_year}年第{iso_week}周",
        "start": start.isoformat(), "end": end.isoformat(),
        "period": f"{start.month}月{start.day}日至{end.month}月{end.day}日",
        "as_of": today.isoformat(),
        "checks": sum(r["checks"] for r in ranking),
        "ranking": ranking,
        "praised": praised,
        "criticised": criticised,
        "problems": {
            "found": week_problems.count(),
            "found_closed": week_problems.filter(status="closed").count(),
            "closed": problems.filter(closed_at__date__range=(start, end)).count(),
            "overdue": overdue.count(),
            "recheck_overdue": problems.recheck_overdue(today).count(),
        },
        "recheck_days": rules.recheck_wait_days(),
        "overdue_list": [
            {"unit": p.unit.name, "description": p.description, "deadline": p.deadline.isoformat(),
             "days": p.overdue_days_on(today)}
            for p in overdue[:OVERDUE_LIST_LIMIT]
        ],
        "notes": rules.note_lines(bureau),
    }


def week_groups(bureau, start, end, year=None):
    """督导组包督查 in the week: for each group of the bureau in the campaign year `year` (else the year
    the week begins in), its units checked (a submitted check dated in the week) and not yet checked, by
    name (JSON-safe, for the snapshot). A campaign year's groups go on checking in the new calendar year's
    first weeks, and a new campaign year may start before January: the bulletin's own year decides."""
    from ..models import InspectionGroup, Unit
    from .oversight import group_units_checked

    if bureau is None:
        return []
    groups = list(InspectionGroup.objects.filter(bureau=bureau).filter(
        **({"year": year} if year is not None else {"year__year": start.year})))
    if not groups:
        return []
    covered = group_units_checked(groups, start, end)
    names = dict(Unit.objects.filter(pk__in={u for units, _ in covered.values() for u in units}, is_active=True)
                 .order_by("sort_order", "name").values_list("pk", "name"))
    order = list(names)
    lines = []
    for g in groups:
        units, checked = covered[g.pk]
        units = sorted((u for u in units if u in names), key=order.index)
        lines.append({"group": g.name, "checked": [names[u] for u in units if u in checked],
                      "unchecked": [names[u] for u in units if u not in checked]})
    return lines


def bulletin_document(bulletin, today=None):
    """What to render: the frozen snapshot when published, else live figures."""
    if bulletin.is_published:
        return bulletin.snapshot
    data = bulletin_data(bulletin.iso_year, bulletin.iso_week, today, bureau=bulletin.bureau, year=bulletin.year)
    data.update(foreword=bulletin.foreword, number=None, published_on=None)
    return data


def can_draft(user):
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.INSPECTOR)


def can_publish(user):
    return user.is_authenticated and user.is_bureau_admin


def default_foreword(iso_year, iso_week):
    start, end = week_bounds(iso_year, iso_week)
    return (f"{start.month}月{start.day}日至{end.month}月{end.day}日，督导组按照任务分解表对各单位创文工作进行了督查。"
            "现将督查情况通报如下，请各单位对照问题，立行立改，做到日结日清。")


@transaction.atomic
def bulletin_create(*, user, iso_year, iso_week, foreword=""):
    if not can_draft(user):
        raise PermissionDenied("只有督导组或局文明办可以起草通报。")
    year = CampaignYear.objects.current()
    if year is None:
        raise ValidationError("尚未设置创建年度，请先由局文明办设置。")
    bureau = user.owning_bureau()
    if Bulletin.objects.filter(bureau=bureau, iso_year=iso_year, iso_week=iso_week).exists():
        raise ValidationError(f"{iso_year}年第{iso_week}周的通报已经存在。")
    return Bulletin.objects.create(year=year, bureau=bureau, iso_year=iso_year, iso_week=iso_week, created_by=user,
                                   foreword=foreword.strip() or default_foreword(iso_year, iso_week))


@transaction.atomic
def bulletin_update(*, bulletin, user, foreword):
    if not can_draft(user) or not (user.is_superuser or bulletin.bureau_id == user.bureau_id):
        raise PermissionDenied("只有督导组或局文明办可以修改通报。")
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.is_published:
        raise ValidationError("通报已发布，不能再修改。")
    bulletin.foreword = foreword.strip()
    bulletin.save()
    return bulletin


def bulletin_publish(*, bulletin, user, today=None):
    """Number the bulletin (第N期, per year) and freeze what it shows."""
    if not can_publish(user) or not (user.is_superuser or bulletin.bureau_id == user.bureau_id):
        raise PermissionDenied("只有局文明办可以发布通报。")
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
            if bulletin.is_published:
                raise ValidationError("该通报已经发布。")
            last = Bulletin.objects.filter(year=bulletin.year_id, bureau=bulletin.bureau_id).aggregate(
                n=Max("number"))["n"] or 0
            now = timezone.now()
            bulletin.number = last + 1
            bulletin.status = BulletinStatus.PUBLISHED
            bulletin.published_by = user
            bulletin.published_at = now
            snapshot = bulletin_data(bulletin.iso_year, bulletin.iso_week, today, bureau=bulletin.bureau,
                                     year=bulletin.year)
            snapshot.update(foreword=bulletin.foreword, number=bulletin.number,
                            published_on=timezone.localdate(now).isoformat())
            bulletin.snapshot = snapshot
            bulletin.save()
            after_commit(notifications.bulletin_published, bulletin.pk)
    except IntegrityError:
        # Two admins published at the same moment and drew the same number.
        raise ValidationError("期号冲突，请重新发布。")
    return bulletin
