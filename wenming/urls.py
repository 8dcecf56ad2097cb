"""Root URLs. Media files are never served from a public folder: see the ledgers' file views."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ledgers import urls as ledger_urls
from ledgers.views.core import home
from reports.urls import DOCUMENT_PATTERNS

from . import pwa
from .views import LoginView, PasswordChangeView

urlpatterns = [
    path("", home, name="home"),
    # The installable app (wenming/pwa.py): the service worker lives at the root scope.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    # 问卷调查's public answer pages: short links for the QR posters, no account (ledgers/answer_urls.py).
    path("s/", include("ledgers.answer_urls")),
    # The ledgers' documents moved to reports/ at the same paths; their old "ledgers:" names
    # stay valid (see reports/urls.py).
    path("", include((ledger_urls.urlpatterns + DOCUMENT_PATTERNS, "ledgers"))),
    path("", include("reports.urls")),
]
