"""Ranking units by their checks' score rate (得分率), shared by the weekly bulletin and the
monthly summary so that both rank the same way.

A unit's score is its figures (ledgers.rules.week_figures: one per check template and ISO week,
the mean of that week's submitted checks of the template) averaged, so a second check with the
same template in the same week is averaged in, not added as a check of its own. A figure's rate is
its total as a percentage of the template's maximum, so units checked with different templates
compare (a template of pass/fail items without points gives its 达标率). Rates are rounded once, to
one decimal, halves up (ledgers.rules.round_rate). A unit with a check that failed a 一票否决 item
is ranked after every unit without one (ledgers.rules.ranking_key); units with equal keys share a
rank ("competition ranking": 1, 2, 2, 4).
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .. import rules

TENTH = Decimal("0.1")


def competition_rank(rows, key):
    """Set row["rank"] on rows already sorted best first; equal `key(row)` shares a rank."""
    for position, row in enumerate(rows):
        if position and key(row) == key(rows[position - 1]):
            row["rank"] = rows[position - 1]["rank"]
        else:
            row["rank"] = position + 1
    return rows


def score_ranking(checks):
    """Units in `checks` (a Check queryset; only its submitted checks count) ranked by score rate.

    Each row: unit_id, unit (name), checks (submitted checks), figures (one per template and week),
    average (mean total, Decimal 0.1), rate (mean rate in percent, Decimal 0.1), vetoed (figures with
    a 一票否决 不合格 check), rank, and the unrounded sums total_sum and rate_sum over the figures (so
    that overall means are exact). One query.
    """
    names, rows = {}, []
    for unit_id, name, order, *figure in checks.submitted().values_list(
            "unit_id", "unit__name", "unit__sort_order", *rules.WEEK_FIGURE_FIELDS[1:]):
        names[unit_id] = (order, name)
        rows.append((unit_id, *figure))
    per_unit = defaultdict(list)
    for f in rules.week_figures(rows):
        per_unit[f.unit_id].append(f)
    ranking = []
    for unit_id, figures in per_unit.items():
        rate_sum = sum(f.rate for f in figures)
        total_sum = sum(f.total for f in figures)
        ranking.append({
            "unit_id": unit_id, "unit": names[unit_id][1], "checks": sum(f.checks for f in figures),
            "figures": len(figures),
            "average": (total_sum / len(figures)).quantize(TENTH, ROUND_HALF_UP),
            "rate": rules.round_rate(rate_sum / len(figures)),
            "vetoed": sum(1 for f in figures if f.vetoed),
            "total_sum": total_sum, "rate_sum": rate_sum,
        })
    ranking.sort(key=lambda r: (rules.ranking_key(r["vetoed"], r["rate"]), names[r["unit_id"]]))
    return competition_rank(ranking, key=lambda r: rules.ranking_key(r["vetoed"], r["rate"]))
