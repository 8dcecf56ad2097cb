"""群机器人 and 发送记录 in the app's own pages (the bureau's admin): robots of the bureau's group and
of each unit's, and every email and robot post with its status, to send again when it failed.
The 测试发送 button posts from reports (reports:robot_test), where the sending lives."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.people import WebhookForm
from ..models import Delivery, DeliveryStatus, Role, Unit, Webhook
from ..models.notifications import Channel
from ..services import robots as service
from ..services.tasks import MoveRefused
from .people import into_form, refused


def _units(user):
    return Unit.objects.actable_by(user).filter(bureau=user.owning_bureau()).active()


@role_required(Role.ADMIN)
def robot_list(request):
    bureau = selected_bureau(request)
    hooks = Webhook.objects.visible_to(request.user).filter(bureau=bureau).select_related("unit").order_by(
        "unit__sort_order", "pk")
    return render(request, "ledgers/robots/list.html", {
        "hooks": hooks, "bureau": bureau, "own": request.user.is_superuser or bureau.pk == request.user.bureau_id})


def _robot_form(request, hook=None):
    form = WebhookForm(request.POST or None, instance=hook, units=_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hook = service.webhook_save(user=request.user, webhook=hook, unit=data["unit"], flavour=data["flavour"],
                                        url=data["url"], is_active=data["is_active"])
        except (ValidationError, PermissionDenied, MoveRefused) as error:
            into_form(form, error)
        else:
            messages.success(request, f"已保存群机器人：{hook}。可点“测试发送”确认群里能收到。")
            return redirect("ledgers:robot_edit", pk=hook.pk)
    return render(request, "ledgers/robots/form.html", {
        "form": form, "hook": hook,
        "may_edit": hook is None or Webhook.objects.actable_by(request.user).filter(pk=hook.pk).exists(),
        "recent": hook.deliveries.order_by("-created_at", "-pk")[:10] if hook else [],
    }, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
def robot_create(request):
    return _robot_form(request)


@role_required(Role.ADMIN)
def robot_edit(request, pk):
    # A POST fetches only what the user may act on: another bureau's robot is 404 (ledgers.access).
    return _robot_form(request, get_visible_or_404(Webhook.objects.select_related("unit", "bureau"), request.user, pk=pk))


@role_required(Role.ADMIN)
@require_POST
def robot_delete(request, pk):
    hook = get_visible_or_404(Webhook, request.user, pk=pk)
    try:
        service.webhook_delete(user=request.user, webhook=hook)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("ledgers:robot_edit", pk=hook.pk)
    messages.success(request, f"已删除群机器人：{hook}。")
    return redirect("ledgers:robot_list")


# --- 发送记录 ----------------------------------------------------------------------------------------

@role_required(Role.ADMIN)
def delivery_list(request):
    bureau = selected_bureau(request)
    deliveries = Delivery.objects.visible_to(request.user).filter(bureau=bureau)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    if channel in Channel.values:
        deliveries = deliveries.filter(channel=channel)
    query = request.GET.copy()
    query.pop("page", None)
    failed = Delivery.objects.actable_by(request.user).filter(bureau=bureau, status=DeliveryStatus.FAILED).count()
    return render(request, "ledgers/robots/deliveries.html", {
        "page": Paginator(deliveries.select_related("webhook__unit"), 50).get_page(request.GET.get("page")),
        "query": query.urlencode(), "status": status, "channel": channel, "failed": failed, "bureau": bureau,
        "statuses": DeliveryStatus.choices, "channels": Channel.choices,
    })


@role_required(Role.ADMIN)
@require_POST
def delivery_resend(request, pk):
    delivery = get_visible_or_404(Delivery, request.user, pk=pk)
    return _resend(request, Delivery.objects.filter(pk=delivery.pk))


@role_required(Role.ADMIN)
@require_POST
def delivery_resend_failed(request):
    return _resend(request, Delivery.objects.filter(bureau=request.user.owning_bureau(), status=DeliveryStatus.FAILED))


def _resend(request, deliveries):
    try:
        n = service.deliveries_resend(user=request.user, deliveries=deliveries)
    except PermissionDenied as error:
        for message in refused(error):
            messages.error(request, message)
    else:
        messages.success(request, f"已重新排队发送 {n} 条，稍后刷新查看结果。" if n else "没有需要重新发送的记录（只有发送失败或等待重试的可以重新发送）。")
    return redirect("ledgers:delivery_list")
