"""URLs of the reports app (namespace "reports")."""
from django.urls import path, register_converter

from . import views
from . import views_assessment
from .summaries import Month

app_name = "reports"


class MonthConverter:
    """"2026-11" <-> Month(2026, 11); anything else (2026-13, 2026-1) does not match: 404."""
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value):
        month = Month.parse(value)
        if month is None:
            raise ValueError(value)
        return month

    def to_url(self, value):
        return str(value)


register_converter(MonthConverter, "month")

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("monthly/", views.monthly_index, name="monthly_index"),
    path("monthly/<month:month>/", views.monthly, name="monthly"),
    path("monthly/<month:month>.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("monthly/<month:month>.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/<month:month>/publish/", views.monthly_publish, name="monthly_publish"),
    path("published/<int:pk>.<str:fmt>", views.published_file, name="published_file"),
    # year-end assessment (年度考核 · 模拟测评)
    path("assessment/", views_assessment.assessment_index, name="assessment_index"),
    path("assessment/<int:year>/", views_assessment.assessment_page, name="assessment"),
    path("assessment/<int:year>.pdf", views_assessment.assessment_pdf, name="assessment_pdf"),
    path("assessment/<int:year>.xlsx", views_assessment.assessment_xlsx, name="assessment_xlsx"),
    path("assessment/<int:year>/publish/", views_assessment.assessment_publish, name="assessment_publish"),
    path("assessment/<int:year>/catalog.<str:fmt>", views_assessment.assessment_catalog, name="assessment_catalog"),
]
