"""Formatting of report figures: a rate 0…1 or a percent number, "—" when there is none."""
from django import template

register = template.Library()


@register.filter
def rate(value):
    """0.3333 -> "33.3%"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def percent(value):
    """Decimal("81.3") -> "81.3%"."""
    return "—" if value is None else f"{value}%"


@register.filter
def figure(comparison, which):
    """A Comparison's current or previous value, formatted for its kind."""
    value = getattr(comparison, which)
    if value is None:
        return "—"
    if comparison.kind == "rate":
        return rate(value)
    if comparison.kind == "percent":
        return percent(value)
    if comparison.kind == "days":
        return f"{value} 天"
    return value


@register.filter
def rank_cell(rank):
    """A rank right-aligned in three digit widths with figure spaces (U+2007), so it can lead a
    table cell instead of taking a column of its own: 7 -> "  7", None -> "  —"."""
    return ("—" if rank is None else str(rank)).rjust(3, "\u2007")
