"""URLs of the ledgers app (namespace "ledgers"); each area keeps its own list."""
app_name = "ledgers"

urlpatterns = []

# --- activity archives (活动档案) ---
from django.urls import path  # noqa: E402

from .views import activities as activity_views  # noqa: E402

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
