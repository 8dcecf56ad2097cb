"""URLs of the reports app (namespace "reports"), mounted at the site root.

- /reports/…: the monthly summary, dashboard, published archive;
- /downloads/…: 我的下载 (background jobs: list, progress page, JSON status, file, retry);
- the printed and exported documents of the ledgers at their historical paths
  (/activities/binder.pdf, /letters/all.pdf, /problems/export.xlsx, …). These are also
  reachable by their old names in the "ledgers" namespace (`DOCUMENT_PATTERNS`, added there by
  wenming/urls.py) so that `{% url 'ledgers:binder_pdf' %}` keeps working; new code uses
  `reports:…`.
"""
from django.urls import path, register_converter

from .views import assessment, documents, jobs, monthly, oversight, surveys
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

DOCUMENT_PATTERNS = [
    path("activities/binder.pdf", documents.binder_pdf, name="binder_pdf"),
    path("activities/binder.zip", documents.binder_zip, name="binder_zip"),
    path("activities/bureau-binder.zip", documents.bureau_binder, name="bureau_binder"),
    path("letters/all.pdf", documents.letter_year_pdf, name="letter_year_pdf"),
    path("letters/<int:pk>/letter.pdf", documents.letter_pdf, name="letter_pdf"),
    path("problems/export.xlsx", documents.problem_export, name="problem_export"),
    path("bulletins/<int:pk>/publish/", documents.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", documents.bulletin_pdf, name="bulletin_pdf"),
]

urlpatterns = [
    path("reports/dashboard/", monthly.dashboard, name="dashboard"),
    path("reports/monthly/", monthly.monthly_index, name="monthly_index"),
    path("reports/monthly/<month:month>/", monthly.monthly, name="monthly"),
    path("reports/monthly/<month:month>.pdf", monthly.monthly_pdf, name="monthly_pdf"),
    path("reports/monthly/<month:month>.xlsx", monthly.monthly_xlsx, name="monthly_xlsx"),
    path("reports/monthly/<month:month>/publish/", monthly.monthly_publish, name="monthly_publish"),
    path("reports/published/<int:pk>.<str:fmt>", monthly.published_file, name="published_file"),
    path("downloads/", jobs.downloads, name="downloads"),
    path("downloads/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("downloads/<int:pk>/status/", jobs.job_status, name="job_status"),
    path("downloads/<int:pk>/file/", jobs.job_file, name="job_file"),
    path("downloads/<int:pk>/retry/", jobs.job_retry, name="job_retry"),
    path("reports/import-templates/<str:kind>.xlsx", monthly.import_template, name="import_template"),
    path("reports/imports/<int:pk>/login-slips.pdf", monthly.login_slips, name="login_slips"),
    # year-end assessment (年度考核 · 模拟测评)
    path("reports/assessment/", assessment.assessment_index, name="assessment_index"),
    path("reports/assessment/<int:year>/", assessment.assessment_page, name="assessment"),
    path("reports/assessment/<int:year>.pdf", assessment.assessment_pdf, name="assessment_pdf"),
    path("reports/assessment/<int:year>.xlsx", assessment.assessment_xlsx, name="assessment_xlsx"),
    path("reports/assessment/<int:year>/publish/", assessment.assessment_publish, name="assessment_publish"),
    path("reports/assessment/<int:year>/catalog.<str:fmt>", assessment.assessment_catalog,
         name="assessment_catalog"),
    # 领导包抓 · 问责 · the people pages' printed papers and the robots' 测试发送
    path("reports/my-units/", oversight.my_units, name="my_units"),
    path("accountability/ledger.pdf", oversight.accountability_pdf, name="accountability_pdf"),
    path("reports/accounts/login-slips.pdf", oversight.account_slips, name="account_slips"),
    path("robots/<int:pk>/test/", oversight.robot_test, name="robot_test"),
    # 问卷调查: a round's QR posters and its responses (?unit=<id> for one unit)
    path("reports/surveys/<int:pk>/poster.pdf", surveys.survey_poster, name="survey_poster"),
    path("reports/surveys/<int:pk>/responses.xlsx", surveys.survey_responses, name="survey_responses"),
    *DOCUMENT_PATTERNS,
]
