"""Report pages of 领导包抓 · 问责 and the organisation's printed papers:

- 我包抓的单位 (`my_units`): a leader's units with the month's figures, one phone screen (also the
  leader's home panel, reports/home.py);
- the printed 问责台账 (`accountability_pdf`), in the one print style;
- the login slips of accounts made or reset on the people pages (`account_slips`: the one-time
  passwords waiting in the admin's session, never stored);
- 测试发送 of a group robot (`robot_test`): the sending lives here, in reports/jobs.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from ledgers.access import get_visible_or_404, role_required
from ledgers.models import AccountabilityCase, Role, Unit, Webhook
from ledgers.params import int_param
from ledgers.views.imports import selected_year
from ledgers.views.people import ACCOUNT_SLIPS

from ..login_slips import login_slips_pdf
from ..leader_units import leader_unit_rows
from ..oversight import case_rows
from ..pdf import render_pdf


@require_safe
@role_required(Role.LEADER)
def my_units(request):
    return render(request, "reports/my_units.html", {"panel": {"data": leader_unit_rows(request.user)}})


@require_safe
@login_required
def accountability_pdf(request):
    """问责台账 of the year: the user's visible units' entries (?unit= for one unit)."""
    year = selected_year(request)
    cases = AccountabilityCase.objects.visible_to(request.user).for_year(year)
    unit = None
    pk = int_param(request, "unit")
    if pk is not None:
        unit = get_visible_or_404(Unit, request.user, pk=pk)
        cases = cases.filter(unit=unit)
    rows = case_rows(cases.order_by("unit__sort_order", "unit__name", "raised_on", "pk"))
    bureau_name = unit.bureau.name if unit else request.user.bureau_name
    title = f"{unit.name if unit else ''}{year.year}年度问责台账"
    pdf = render_pdf("reports/pdf/accountability.html", {
        "rows": rows, "title": title, "BUREAU_NAME": bureau_name, "today": timezone.localdate(), "year": year,
        "open": sum(1 for r in rows if r.status != "已办结"),
    })
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{title}.pdf")
    return response


@require_safe
@role_required(Role.ADMIN)
def account_slips(request):
    """Login slips of the accounts made or reset in this session (people pages)."""
    credentials = request.session.get(ACCOUNT_SLIPS)
    if not credentials:
        raise Http404("没有待打印的初始密码（已清除或不在本次会话中）；如需新密码，请在用户管理中重置。")
    pdf = login_slips_pdf(credentials, site_url=request.build_absolute_uri("/"),
                          bureau_name=request.user.bureau_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, "账号登录条.pdf")
    return response


@role_required(Role.ADMIN)
@require_POST
def robot_test(request, pk):
    """测试发送: one post now; the page says what the robot answered (kept in 发送记录)."""
    from ..jobs.notifications import send_test_message

    hook = get_visible_or_404(Webhook.objects.select_related("unit"), request.user, pk=pk)
    delivery = send_test_message(hook, request.user)
    if delivery.status == "sent":
        messages.success(request, f"测试消息已发送到 {hook}，请在群里查看是否收到。")
    else:
        messages.error(request, f"测试发送失败：{delivery.last_error}。请检查 Webhook 地址，或机器人是否已被移出群聊。")
    return redirect("ledgers:robot_edit", pk=hook.pk)
