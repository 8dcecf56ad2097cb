"""领导包抓 · 督导组包督查: setting who answers for which unit, and what each group has covered.

Writes (the bureau's admin, one transaction each, every change kept in the audit trail):
- `group_save`: a 督导组 of the year — its name, rhythm and members (the bureau's inspectors);
- `group_delete`: a group no unit is given to;
- `oversight_set`: the 包抓领导 and/or 督导组 of several units at once (one row per unit and year:
  a unit has at most one leader and one group a year).

Reads (plain data for the pages, the dashboard, the bulletin and the month summary):
- `coverage(groups, today)`: each group's units this period of its rhythm — checked or not (the
  not-yet-checked first), the date of the last check and the days since (ledgers.rules);
- `leader_units(user, year)`: the units a leader answers for.
"""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from .. import rules
from ..models import CampaignYear, InspectionGroup, Oversight, Role, Unit, User
from .tasks import MoveRefused

KEEP = object()  # oversight_set: leave this field as it is


def may_organise(user):
    return user.is_authenticated and user.is_active and user.is_bureau_admin


def _require_admin(user):
    if not may_organise(user):
        raise MoveRefused("只有局文明办可以设置领导包抓和督导组。")


def inspectors_of(bureau):
    """The inspectors a group of `bureau` may have: the bureau's active inspectors."""
    return User.objects.filter(is_active=True, role=Role.INSPECTOR, unit__bureau=bureau).order_by("name", "username")


def leaders_of(bureau):
    """The leaders a unit of `bureau` may be given to (局领导 of the bureau)."""
    return User.objects.filter(is_active=True, role=Role.LEADER, unit__bureau=bureau).order_by("name", "username")


def group_save(*, user, year, name, rhythm, members=(), group=None, sort_order=None):
    """Create or change a group of the user's bureau; members must be the bureau's inspectors."""
    _require_admin(user)
    bureau = user.owning_bureau()
    if group is not None and group.bureau_id != bureau.pk:
        raise MoveRefused("只能修改本局的督导组。")
    members = list(members)
    allowed = set(inspectors_of(bureau).values_list("pk", flat=True))
    strangers = [m for m in members if m.pk not in allowed]
    if strangers:
        raise ValidationError({"members": f"{'、'.join(map(str, strangers))} 不是本局的督导组人员。"})
    with transaction.atomic():
        group = group or InspectionGroup(bureau=bureau, year=year)
        group.name, group.rhythm = name.strip(), rhythm
        if sort_order is None and not group.pk:
            sort_order = (InspectionGroup.objects.filter(bureau=bureau, year=year).aggregate(n=Max("sort_order"))["n"]
                          or 0) + 1
        if sort_order is not None:
            group.sort_order = sort_order
        group.full_clean()
        group.save()
        group.members.set(members)
    return group


def group_delete(*, user, group):
    _require_admin(user)
    if group.bureau_id != user.owning_bureau().pk:
        raise MoveRefused("只能删除本局的督导组。")
    with transaction.atomic():
        if Oversight.objects.filter(group=group).exists():
            raise MoveRefused(f"{group.name}还包督查着单位，请先把这些单位改给其他督导组。")
        group.delete()


def oversight_set(*, user, year, units, leader=KEEP, group=KEEP):
    """Give `units` the leader and/or the group (None clears it; KEEP leaves it). Returns how many
    units changed. Refused as a whole if any unit, the leader or the group is not the user's bureau's."""
    _require_admin(user)
    units = list(units)
    if not units:
        raise MoveRefused("请先勾选单位。")
    if leader is KEEP and group is KEEP:
        raise MoveRefused("请选择包抓领导或督导组。")
    for unit in units:
        if not user.may_act_on_unit(unit):
            raise MoveRefused(f"{unit.name} 不属于本局，不能设置。")
    changed = 0
    with transaction.atomic():
        current = {o.unit_id: o for o in Oversight.objects.select_for_update().filter(year=year, unit__in=units)}
        for unit in units:
            row = current.get(unit.pk) or Oversight(year=year, unit=unit)
            before = (row.leader_id, row.group_id)
            if leader is not KEEP:
                row.leader = leader
            if group is not KEEP:
                row.group = group
            if row.pk and (row.leader_id, row.group_id) == before:
                continue
            row.full_clean()
            row.save()
            changed += 1
    return changed


# --- reads ---------------------------------------------------------------------------------------

def current_year():
    return CampaignYear.objects.current()


def leader_units(user, year):
    """The active units `user` (a leader) answers for in `year`, in unit order."""
    if year is None:
        return []
    return [o.unit for o in Oversight.objects.for_year(year).of_leader(user).filter(unit__is_active=True)
            .select_related("unit__bureau").order_by("unit__sort_order", "unit__name")]


@dataclass
class UnitCoverage:
    unit: Unit
    last_check: object  # date or None
    days_since: int | None
    checked: bool


@dataclass
class GroupCoverage:
    group: InspectionGroup
    span: rules.Span
    rows: list = field(default_factory=list)  # UnitCoverage, not yet checked first

    @property
    def total(self):
        return len(self.rows)

    @property
    def checked(self):
        return sum(r.checked for r in self.rows)

    @property
    def unchecked(self):
        return [r for r in self.rows if not r.checked]

    @property
    def checked_rows(self):
        return [r for r in self.rows if r.checked]

    @property
    def rate(self):
        return None if not self.rows else self.checked / self.total


def coverage(groups, today):
    """[GroupCoverage] for `groups` (in their order) as of `today`: two queries however many units."""
    groups = list(groups)
    by_group = {g.pk: GroupCoverage(g, rules.rhythm_span(g.rhythm, today)) for g in groups}
    rows = (Oversight.objects.filter(group__in=groups, unit__is_active=True).select_related("unit")
            .annotate(last_check=rules.last_check_date(today)).order_by("unit__sort_order", "unit__name"))
    for o in rows:
        entry = by_group[o.group_id]
        entry.rows.append(UnitCoverage(o.unit, o.last_check, rules.days_since(o.last_check, today),
                                       rules.covered(o.last_check, entry.span)))
    for entry in by_group.values():
        # Not yet checked first, the longest unvisited first; then the checked ones in unit order.
        entry.rows.sort(key=lambda r: (r.checked, -(r.days_since if r.days_since is not None else 10 ** 6)))
    return [by_group[g.pk] for g in groups]


def group_units_checked(groups, first_day, last_day):
    """{group id: (unit ids of the group, unit ids with a submitted check dated in [first, last])}
    for the bulletin's week and the month summary's month."""
    from ..models import Check

    members = {g.pk: set() for g in groups}
    unit_group = {}
    for unit_id, group_id in Oversight.objects.filter(group__in=groups).values_list("unit_id", "group_id"):
        members[group_id].add(unit_id)
        unit_group[unit_id] = group_id
    checked = {g: set() for g in members}
    for unit_id in (Check.objects.submitted().filter(unit_id__in=list(unit_group), date__gte=first_day,
                                                     date__lte=last_day).values_list("unit_id", flat=True).distinct()):
        checked[unit_group[unit_id]].add(unit_id)
    return {g: (members[g], checked[g]) for g in members}
