"""A dashboard's charts, described for ``static/dashboard.js`` to draw with Chart.js: the figures
of the GraphQL answer that the tables beside them show (the tables are the truth, the charts their
decoration). The description travels in the page as JSON, so the script stays a few lines long.
"""

from collections.abc import Sequence
from typing import Any

from api.web.views.dashboard_tables import BREAKDOWNS, Answer, Words

Chart = dict[str, Any]


def series(label: str, values: Sequence[float | int | None], role: str = "figure") -> dict[str, Any]:
    return {"label": label, "values": list(values), "role": role}


def threshold_series(answer: Answer, count: int, words: Words) -> list[dict[str, Any]]:
    """One flat line per WHO threshold, ``count`` points long."""
    _ = words.text
    return [series(_(t["name"]), [t["perTenThousand"]] * count, "threshold") for t in answer["thresholds"]]


def children_series(kids: list[dict[str, Any]], words: Words) -> dict[str, Any]:
    """The children's qualified densities; their qualified staff when none has a population."""
    _ = words.text
    if any(k["qualifiedDensity"] is not None for k in kids):
        return series(_("Qualified density"), [k["qualifiedDensity"] for k in kids])
    return series(_("Qualified active"), [k["qualifiedActive"] for k in kids])


def charts(answer: Answer, words: Words) -> list[Chart]:
    """What ``static/dashboard.js`` draws: for each chart, the ``id`` of its canvas, its ``type``
    (line or bar), its labels and its series (``role`` "threshold" for a WHO line)."""
    _ = words.text
    points = answer["densitySeries"]
    periods = [p["period"] for p in points]
    s = answer["staffing"]
    kids = s["children"]
    groups = answer["establishment"]["byCadreGroup"]
    drawn: list[Chart] = [
        {
            "id": "chart-density",
            "type": "line",
            "labels": periods,
            "series": [
                series(_("Qualified density"), [p["qualifiedDensity"] for p in points]),
                *threshold_series(answer, len(points), words),
            ],
        },
        {
            "id": "chart-flows",
            "type": "bar",
            "labels": periods,
            "series": [
                series(_("Entries"), [p["entries"] for p in points]),
                series(_("Exits"), [p["exits"] for p in points]),
            ],
        },
        {
            "id": "chart-children",
            "type": "bar",
            "labels": [k["orgUnit"]["name"] for k in kids],
            "series": [children_series(kids, words)],
        },
        {
            "id": "chart-establishment",
            "type": "bar",
            "labels": [words.label(g["key"]) for g in groups],
            "series": [
                series(_("Posts"), [g["posts"] for g in groups]),
                series(_("Filled"), [g["filled"] for g in groups]),
            ],
        },
    ]
    for field in BREAKDOWNS:
        entries = s[field]
        drawn.append(
            {
                "id": f"chart-{field}",
                "type": "bar",
                "horizontal": True,
                "labels": [words.label(e["key"]) for e in entries],
                "series": [series(_("Active"), [e["count"] for e in entries])],
            }
        )
    return drawn
