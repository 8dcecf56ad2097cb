"""URLs of the reports app (namespace "reports")."""
from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("monthly/", views.monthly_index, name="monthly_index"),
    path("monthly/<int:year>-<int:month>/", views.monthly, name="monthly"),
    path("monthly/<int:year>-<int:month>.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("monthly/<int:year>-<int:month>.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/<int:year>-<int:month>/publish/", views.monthly_publish, name="monthly_publish"),
    path("published/<int:pk>.<str:fmt>", views.published_file, name="published_file"),
]
