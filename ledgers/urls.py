"""URLs of the ledgers app (namespace "ledgers"), one block per area."""
from django.urls import path

from .views import activities as activity_views
from .views import bulletins as bulletin_views
from .views import checks as check_views
from .views import problems as problem_views

app_name = "ledgers"

urlpatterns = []

# --- activity archives (活动档案) ---
urlpatterns += [
    path("activities/", activity_views.activity_list, name="activity_list"),
    path("activities/stats/", activity_views.activity_stats, name="activity_stats"),
    path("activities/new/", activity_views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/submit/", activity_views.activity_submit, name="activity_submit"),
    path("activities/<int:pk>/review/", activity_views.activity_review, name="activity_review"),
    path("activities/<int:pk>/uploaded/", activity_views.activity_mark_uploaded, name="activity_mark_uploaded"),
    path("activities/<int:pk>/delete/", activity_views.activity_delete, name="activity_delete"),
    path("activities/photos/<int:pk>/<str:size>/", activity_views.activity_photo, name="activity_photo"),
    path("activities/binder.pdf", activity_views.binder_pdf, name="binder_pdf"),
    path("activities/binder.zip", activity_views.binder_zip, name="binder_zip"),
]

# --- checks, problems, bulletins (每周督查 · 整改台账 · 督查通报) ---
urlpatterns += [
    path("checks/", check_views.check_list, name="check_list"),
    path("checks/new/", check_views.check_create, name="check_create"),
    path("checks/<int:pk>/", check_views.check_detail, name="check_detail"),
    path("checks/<int:pk>/edit/", check_views.check_edit, name="check_edit"),
    path("checks/<int:pk>/submit/", check_views.check_submit, name="check_submit"),
    path("checks/<int:pk>/correct/", check_views.check_correct, name="check_correct"),
    path("checks/photos/<int:pk>/<str:size>/", check_views.check_photo, name="check_photo"),
    path("check-templates/", check_views.template_list, name="template_list"),
    path("check-templates/new/", check_views.template_edit, name="template_create"),
    path("check-templates/<int:pk>/", check_views.template_edit, name="template_edit"),
    path("problems/", problem_views.problem_list, name="problem_list"),
    path("problems/export.xlsx", problem_views.problem_export, name="problem_export"),
    path("problems/new/", problem_views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem_detail"),
    path("problems/photos/<int:pk>/<str:size>/", problem_views.problem_photo, name="problem_photo"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletin_views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", bulletin_views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/publish/", bulletin_views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", bulletin_views.bulletin_pdf, name="bulletin_pdf"),
]
