"""Login slips (登录条) for accounts created by an import: one slip per person, cut lines between.

The initial passwords are passed in (from the importing admin's session) and never stored.
"""
from django.utils import timezone

from .pdf import render_pdf


def login_slips_pdf(credentials, *, site_url, bureau_name):
    return render_pdf("reports/pdf/login_slips.html", {
        "slips": credentials, "site_url": site_url, "bureau": bureau_name,
        "today": timezone.localdate(),
    })
