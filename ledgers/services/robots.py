"""Group robots (群机器人) and the 发送记录, managed by the bureau's admin in the app's own pages.

- `webhook_save` / `webhook_delete`: one robot per unit (the school's work group) and one without a
  unit for the bureau's own group; a district's admin sets only their district's.
- `deliveries_resend`: failed (or waiting) deliveries queued again at once, attempts from zero; the
  worker sends them (reports/jobs/notifications.py) once the transaction commits.
The 测试发送 button posts at once and says what the robot answered: reports.jobs.notifications.test_send.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Delivery, DeliveryStatus, Webhook
from ..signals import deliveries_queued

RESENDABLE = (DeliveryStatus.FAILED, DeliveryStatus.RETRY)


def _require_admin(user):
    if not (user.is_authenticated and user.is_active and user.is_bureau_admin):
        raise PermissionDenied("只有局文明办可以设置群机器人和重新发送。")


def webhook_save(*, user, webhook=None, unit=None, flavour, url, is_active=True):
    _require_admin(user)
    if unit is not None and not user.may_act_on_unit(unit):
        raise PermissionDenied(f"{unit.name} 不属于本局。")
    bureau = unit.bureau if unit is not None else user.owning_bureau()
    if webhook is not None and webhook.pk and not Webhook.objects.actable_by(user).filter(pk=webhook.pk).exists():
        raise PermissionDenied("只能修改本局的群机器人。")
    with transaction.atomic():
        webhook = webhook or Webhook()
        if unit is None and Webhook.objects.filter(bureau=bureau, unit__isnull=True).exclude(pk=webhook.pk).exists():
            raise ValidationError("本局工作群的机器人已经设置过了，请编辑原有的那一条。")
        if unit is not None and Webhook.objects.filter(unit=unit).exclude(pk=webhook.pk).exists():
            raise ValidationError(f"{unit.name} 已有群机器人，请编辑原有的那一条。")
        webhook.bureau, webhook.unit, webhook.flavour, webhook.url, webhook.is_active = (
            bureau, unit, flavour, url.strip(), is_active)
        webhook.full_clean()
        webhook.save()
    return webhook


def webhook_delete(*, user, webhook):
    _require_admin(user)
    if not Webhook.objects.actable_by(user).filter(pk=webhook.pk).exists():
        raise PermissionDenied("只能删除本局的群机器人。")
    webhook.delete()


def deliveries_resend(*, user, deliveries):
    """Queue `deliveries` (a queryset) again: only the user's bureau's, only failed or waiting ones.
    Returns how many."""
    _require_admin(user)
    with transaction.atomic():
        ids = list(deliveries.actable_by(user).filter(status__in=RESENDABLE).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.RETRY, attempts=0, next_try_at=timezone.now())
        transaction.on_commit(lambda: deliveries_queued.send(sender=Delivery, ids=ids))
    return len(ids)
