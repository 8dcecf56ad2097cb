"""Writing checks (督查记录): save a draft with its scores and photos, submit it, correct it.

Each function is one transaction and checks who may do it: inspectors and bureau admins
record checks; once submitted, only a bureau admin may correct one, and the correction keeps
the figures before and after. Refusals are PermissionDenied / ValidationError with a Chinese
message that views show as they are.
"""
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import rules
from ..models import (
    Check, CheckCorrection, CheckItem, CheckPhoto, CheckScore, CheckStatus, CheckTemplate, ItemKind, Role,
)
from ..models.checks import format_points, item_depths


def can_record_checks(user):
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.INSPECTOR)


def can_edit_check(user, check):
    return can_record_checks(user) and check.is_draft


def can_correct_check(user, check):
    return user.is_authenticated and user.is_bureau_admin and not check.is_draft


def answers_of(scores):
    """{item id: Answer} from what a form or a caller gives: an Answer, or a plain score (a 计分 item)."""
    return {pk: value if isinstance(value, rules.Answer) else rules.Answer(score=value)
            for pk, value in scores.items() if value is not None}


def validate_scores(items, scores, *, complete):
    """Check {item_id: Answer or score} against the items; return the errors as {item_id: message}."""
    answers, errors = answers_of(scores), {}
    for item in items:
        try:
            item.validate_answer(answers.get(item.pk), complete=complete)
        except ValidationError as error:
            errors[item.pk] = error.messages[0]
    return errors


def _require_recorder(user):
    if not can_record_checks(user):
        raise PermissionDenied("只有督导组或局文明办可以录入督查记录。")


def _write_scores(check, items, scores):
    """Store each answered item's answer and what it earned, every group's subtotal, and the check's
    figures — all from ledgers.rules.check_score, the one definition of a check's score."""
    errors = validate_scores(items, scores, complete=False)
    if errors:
        raise ValidationError(list(errors.values()))
    answers = {pk: a for pk, a in answers_of(scores).items() if not a.blank}
    result = rules.check_score(items, answers)
    kept = {item.pk for item in items if item.pk in answers or (item.is_group and item.pk in result.items)}
    check.scores.exclude(item_id__in=kept).delete()
    existing = {s.item_id: s for s in check.scores.all()}
    for item in items:
        if item.pk not in kept:
            continue
        answer, figure = answers.get(item.pk) or rules.Answer(), result.items[item.pk]
        row = existing.get(item.pk) or CheckScore(check_record=check, item=item)
        values = {"score": figure.earned, "applicable": figure.applicable, "passed": figure.passed,
                  "findings": answer.findings, "deducted": answer.deducted, "asked": answer.asked,
                  "sample_passed": answer.sample_passed, "not_applicable": answer.not_applicable}
        if row.pk is None or any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    check.total, check.max_total, check.vetoed = result.total, result.max_total, result.vetoed
    check.basis, check.passed_items, check.pass_items = result.basis, result.passed_items, result.pass_items


def _mark_submitted(check, user, items):
    scores = {s.item_id: s.answer for s in check.scores.select_related("item") if not s.item.is_group}
    errors = validate_scores(items, scores, complete=True)
    if errors:
        raise ValidationError(list(errors.values()))
    check.status = CheckStatus.SUBMITTED
    check.submitted_by = user
    check.submitted_at = timezone.now()


@transaction.atomic
def check_save(*, user, unit, date, kind, template, remarks="", scores, inspectors=(), photos=(),
               item_photos=None, check=None, submit=False):
    """Create or update a draft check with its answers ({item id: Answer, or a score}) and new photos
    (`item_photos`: {item id: [uploads]}, the photos of a failed or deducted item); submit it when asked."""
    _require_recorder(user)
    if unit is None or not unit.is_active:
        raise ValidationError("受检单位不存在或已停用，请重新选择。")
    if not user.may_act_on_unit(unit):
        raise PermissionDenied("只能督查本局所属的单位。")
    if check is None:
        check = Check(created_by=user)
    else:
        check = Check.objects.select_for_update().get(pk=check.pk)
        if not check.is_draft:
            raise PermissionDenied("督查记录已提交，只能由局文明办更正。")
    items = list(template.items.all())
    check.year_id, check.unit, check.date, check.kind = template.year_id, unit, date, kind
    check.template, check.remarks = template, remarks
    check.save()
    _write_scores(check, items, scores)
    check.inspectors.set(list(inspectors) or [user])
    for uploaded in photos:
        CheckPhoto.build(uploaded, uploaded_by=user, check_record=check).save()
    by_pk = {item.pk: item for item in items}
    for item_id, uploads in (item_photos or {}).items():
        for uploaded in uploads:
            CheckPhoto.build(uploaded, uploaded_by=user, check_record=check, item=by_pk.get(item_id)).save()
    if submit:
        _mark_submitted(check, user, items)
    check.save()
    return check


@transaction.atomic
def check_submit(*, check, user):
    _require_recorder(user)
    check = Check.objects.select_for_update().get(pk=check.pk)
    if not check.is_draft:
        raise ValidationError("该督查记录已经提交。")
    _mark_submitted(check, user, list(check.template.items.all()))
    check.save()
    return check


def _figures(check):
    return {
        "scores": {s.item.title: s.result_text() or format_points(s.score) for s in check.scores.select_related("item")},
        "total": format_points(check.total),
        "remarks": check.remarks,
    }


@transaction.atomic
def check_correct(*, check, user, scores, remarks, reason):
    """A bureau admin corrects a submitted check; the figures before and after are kept."""
    if not user.is_bureau_admin:
        raise PermissionDenied("只有局文明办可以更正已提交的督查记录。")
    check = Check.objects.select_for_update().get(pk=check.pk)
    if check.is_draft:
        raise ValidationError("草稿可以直接修改，无需更正。")
    if not (reason or "").strip():
        raise ValidationError("请填写更正理由。")
    items = list(check.template.items.all())
    errors = validate_scores(items, scores, complete=True)
    if errors:
        raise ValidationError(list(errors.values()))
    before = _figures(check)
    check.remarks = remarks
    _write_scores(check, items, scores)
    check.save()
    CheckCorrection.objects.create(check_record=check, by=user, reason=reason.strip(), before=before,
                                   after=_figures(check))
    return check


@dataclass
class ScoreRow:
    """A line of a check's score table: the item (or group heading), how deep it sits, its stored
    answer and figures (None: not answered), and the photos taken for it."""
    item: object
    depth: int
    score: object = None
    photos: list = field(default_factory=list)

    @property
    def failed(self):
        return self.score is not None and self.score.failed

    @property
    def note(self):
        """The answer under the item's title ("发现 6 处，扣 3 分"), unless the outcome column says it
        already (达标 / 不达标 of an item without points of its own there)."""
        s = self.score
        if s is None or (self.item.kind in (ItemKind.PASSFAIL, ItemKind.VETO)
                         and (s.check_record.by_pass_rate or not s.applicable)):
            return ""
        return s.result_text()


def score_rows(check, photos=()):
    """The check's items in the template's order with their answers and photos (three queries)."""
    items = list(check.template.items.select_related("indicator"))
    scores = {s.item_id: s for s in check.scores.all()}
    depths = item_depths(items)
    by_item = {}
    for photo in photos:
        by_item.setdefault(photo.item_id, []).append(photo)
    rows = []
    for item in items:
        score = scores.get(item.pk)
        if score is not None:
            score.item = item
        rows.append(ScoreRow(item, depths[item.pk], score, by_item.get(item.pk, [])))
    return rows


def checklist_import_write(*, user, year, template, name, rows):
    """Write an imported checklist (ledgers.imports.checklists) into `template`, or a new template
    `name` of the user's bureau: the rows' groups (found by title under their parent, else made)
    and items (made, or updated in place). Runs inside the import's transaction
    (ledgers.services.imports.import_confirm); returns the counts."""
    if not user.is_bureau_admin:
        raise PermissionDenied("只有局文明办可以导入检查表。")
    if template is None:
        template = CheckTemplate(year=year, bureau=user.owning_bureau(), name=name)
        template.full_clean()
        template.save()
    items = list(template.items.all())
    order = [max((i.sort_order for i in items), default=0)]
    made = {}

    def next_order():
        order[0] += 1
        return order[0]

    def group_item(group):
        if group is None:
            return None
        if group.item is not None:
            return group.item
        key = group.trail
        if key not in made:
            parent = group_item(group.parent)
            existing = next((i for i in items if i.is_group and i.parent_id == (parent.pk if parent else None)
                             and i.title == group.title), None)
            made[key] = existing or CheckItem.objects.create(
                template=template, kind=ItemKind.GROUP, parent=parent, title=group.title, number=group.number[:20],
                max_points=group.points or 0, sort_order=next_order())
        return made[key]

    created = updated = 0
    for plan in rows:
        if "group" in plan:
            created += plan["group"].item is None and plan["group"].trail not in made
            group_item(plan["group"])
            continue
        parent = group_item(plan["parent"])
        item = plan["item"] or CheckItem(template=template, sort_order=next_order())
        created += item.pk is None
        updated += item.pk is not None
        item.parent = parent
        for field_name, value in plan["values"].items():
            setattr(item, field_name, value)
        item.full_clean(exclude=["template", "parent", "indicator"])
        item.save()
    return {"created": created, "updated": updated, "template": template.pk}
