"""Query parameters as views read them: junk gets a 404 (or the form's own error), never a 500.

Pitfalls these helpers close: `"²".isdigit()` is True but `int("²")` fails; a NUL character
makes PostgreSQL refuse the query; "9999-12" is a valid month whose end overflows `date`; a
20-digit number overflows a database integer. Views read their parameters through here (or a
Django form, whose fields already refuse NUL and non-numbers).
"""
import re
from datetime import date

from django import forms
from django.http import Http404
from django.utils import timezone

# Years that can make sense anywhere in the product (campaign years, months, weeks, dates).
MIN_YEAR, MAX_YEAR = 2000, 2100

_ASCII_INT = re.compile(r"[0-9]{1,15}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def to_int(value):
    """ASCII digits (at most 15 of them, so any database integer holds it) -> int, else None."""
    text = str(value if value is not None else "").strip()
    return int(text) if _ASCII_INT.fullmatch(text) else None


def int_param(request, name, *, missing=None, source=None):
    """?name=<id>: the number; `missing` when absent or empty; 404 for anything else."""
    raw = (source if source is not None else request.GET).get(name, "")
    if raw in ("", None):
        return missing
    value = to_int(raw)
    if value is None:
        raise Http404(f"参数 {name} 不正确")
    return value


def text_param(request, name, *, max_length=100):
    """?name=<text> without control characters (NUL breaks PostgreSQL), cut to max_length."""
    return _CONTROL.sub("", request.GET.get(name, "") or "")[:max_length]


def year_in_range(value):
    return value is not None and MIN_YEAR <= value <= MAX_YEAR


def parse_month(value, default=None):
    """'2026-05' -> date(2026, 5, 1); anything else (or a year outside 2000-2100) -> default."""
    parts = str(value if value is not None else "").split("-")
    if len(parts) != 2:
        return default
    year, month = to_int(parts[0]), to_int(parts[1])
    if not year_in_range(year) or month is None or not 1 <= month <= 12:
        return default
    return date(year, month, 1)


def date_in_range(value):
    """A date the product can sensibly hold (activity, check, deadline, upload dates)."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def sensible_years(today=None):
    """(first, last) year a ledger date may fall in: the campaign year and today's, one year either side."""
    from .models import CampaignYear  # late: params is imported by models' neighbours

    today = today or timezone.localdate()
    current = CampaignYear.objects.current()
    years = [today.year] + ([current.year] if current else [])
    return min(years) - 1, max(years) + 1


class SensibleDateField(forms.DateField):
    """A date on a ledger (activity, check, deadline, progress, upload to 文明网): a real calendar
    date ("2026-02-30" is refused, not replaced by today) within a year of the campaign year."""

    default_error_messages = {"invalid": "日期不正确（如 2月30日 并不存在），请重新选择。"}

    def validate(self, value):
        super().validate(value)
        if value is not None:
            first, last = sensible_years()
            if not first <= value.year <= last:
                raise forms.ValidationError(
                    f"日期 {value:%Y-%m-%d} 超出合理范围，应在 {first} 年至 {last} 年之间。", code="out_of_range")
