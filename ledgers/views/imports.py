"""The two-step Excel import (preview, then confirm) shared by tasks and indicators.

The parsed rows wait in the session between the steps, as JSON; confirm writes them all in one
transaction. Nothing is written while any row is bad.
"""
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ..forms_tasks import ImportForm
from ..models import CampaignYear
from ..params import to_int
from ..services.tasks import MoveRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def selected_year(request):
    """The year in ?year=2026, else the current one (also for junk such as "²", NUL or a year
    that is not set up); 404 when no year is set up."""
    qs = CampaignYear.objects.all()
    wanted = to_int(request.GET.get("year"))
    year = qs.filter(year=wanted).first() if wanted is not None else None
    year = year or qs.current()
    if year is None:
        raise Http404("尚未设置创建年度，请联系局文明办在管理后台添加。")
    return year


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def content_disposition(filename, inline=False):
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"


def import_page(request, *, kind, parse, template, context):
    """GET: the upload form; POST: parse the file and show the preview with every bad row."""
    year = selected_year(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    parsed = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = parse(upload, year)
        except ValidationError as refused:
            form.add_error("file", refused.messages[0])
        else:
            if parsed.ok:
                request.session[f"import_{kind}"] = {"year": year.pk, "rows": parsed.rows,
                                                     "filename": upload.name}
            else:
                request.session.pop(f"import_{kind}", None)
    return render(request, template, {**context, "year": year, "form": form, "parsed": parsed})


def import_confirm(request, *, kind, write, done_url, retry_url):
    """POST: write the rows kept from the preview, all or nothing."""
    pending = request.session.pop(f"import_{kind}", None)
    if not pending:
        messages.error(request, "没有待导入的数据，请重新上传文件。")
        return redirect(retry_url)
    year = CampaignYear.objects.get(pk=pending["year"])
    try:
        result = write(year=year, rows=pending["rows"], user=request.user)
    except MoveRefused as refused:
        messages.error(request, refused.message)
        return redirect(retry_url)
    messages.success(request, result)
    return redirect(done_url)
