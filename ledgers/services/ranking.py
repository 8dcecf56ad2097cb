"""Ranking units by their checks' score rate (得分率), shared by the weekly bulletin and the
monthly summary so that both rank the same way.

A check's rate is its total as a percentage of its template's maximum, so units checked with
different templates compare. A unit's rate is the mean of its checks' rates, rounded to one
decimal; units with equal rounded rates share a rank ("competition ranking": 1, 2, 2, 4).
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def check_rate(total, max_total):
    return Decimal(total) * 100 / Decimal(max_total) if max_total else Decimal(0)


def competition_rank(rows, key):
    """Set row["rank"] on rows already sorted best first; equal `key(row)` shares a rank."""
    for position, row in enumerate(rows):
        if position and key(row) == key(rows[position - 1]):
            row["rank"] = rows[position - 1]["rank"]
        else:
            row["rank"] = position + 1
    return rows


def score_ranking(checks):
    """Units in `checks` (a Check queryset) ranked by average score rate, best first.

    Each row: unit_id, unit (name), checks, average (mean total, Decimal 0.1),
    rate (mean rate in percent, Decimal 0.1), rank, and the unrounded sums total_sum and
    rate_sum (so that overall means are exact). One query.
    """
    per_unit = defaultdict(list)
    names = {}
    rows = checks.values_list("unit_id", "unit__name", "unit__sort_order", "total", "max_total")
    for unit_id, name, order, total, max_total in rows:
        per_unit[unit_id].append((total, max_total))
        names[unit_id] = (order, name)
    ranking = []
    for unit_id, scores in per_unit.items():
        rate_sum = sum(check_rate(t, m) for t, m in scores)
        total_sum = sum(Decimal(t) for t, _ in scores)
        ranking.append({
            "unit_id": unit_id, "unit": names[unit_id][1], "checks": len(scores),
            "average": (total_sum / len(scores)).quantize(TENTH, ROUND_HALF_UP),
            "rate": (rate_sum / len(scores)).quantize(TENTH, ROUND_HALF_UP),
            "total_sum": total_sum, "rate_sum": rate_sum,
        })
    ranking.sort(key=lambda r: (-r["rate"], names[r["unit_id"]]))
    return competition_rank(ranking, key=lambda r: r["rate"])
