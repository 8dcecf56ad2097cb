"""问卷调查's documents: a round's QR posters (one unit's, or every unit's for the bureau) and the Excel
of its responses (a unit's for its liaison). The round and the unit are checked as on the round's page
(ledgers.views.surveys.round_unit): another unit's is 404."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ledgers.access import get_visible_or_404
from ledgers.models import Survey, SurveyUnit
from ledgers.views.surveys import round_unit

from ..surveys import poster_name, poster_pdf, responses_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@login_required
def survey_poster(request, pk):
    survey = get_visible_or_404(Survey.objects.select_related("bureau"), request.user, pk=pk)
    link = round_unit(request, survey)
    links = [link] if link else list(SurveyUnit.objects.visible_to(request.user).filter(survey=survey)
                                     .select_related("unit").order_by("unit__sort_order", "unit__name"))
    response = HttpResponse(poster_pdf(survey, links), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, poster_name(survey, links))
    return response


@require_safe
@login_required
def survey_responses(request, pk):
    survey = get_visible_or_404(Survey, request.user, pk=pk)
    link = round_unit(request, survey)
    unit = link.unit if link else None
    response = HttpResponse(responses_workbook(survey, unit), content_type=XLSX)
    name = f"{unit.name}-" if unit else ""
    response["Content-Disposition"] = content_disposition_header(True, f"{name}{survey.title}-答卷明细.xlsx")
    return response
