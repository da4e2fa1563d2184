"""The growth benchmark's report: the results by scale as Markdown tables, and a chart.

Times per event and query p95s are also given as multiples of the smallest scale's (``×``): the
targets are load and rebuild within 1.5× of scale 1's time per event, and query p95 within 1.5×
of scale 1's and under 30 ms.
"""

from pathlib import Path
from typing import Any

from tests.benchmarks.growth_queries import QUERIES

PER_EVENT = {"load": "first load", "rebuild": "hrh rebuild", "verify": "hrh verify", "import_log": "hrh import-log"}
EXPORTS = {"export_nhwa": "nhwa", "export_fhir": "fhir", "export_dhis2": "dhis2", "export_staffing": "staffing"}
STEPS = {
    "demo": "hrh demo (load + build)",
    "rebuild": "hrh rebuild",
    "verify": "hrh verify",
    "export_log": "hrh export-log",
    "import_log": "hrh import-log",
    **{k: f"hrh export {v}" for k, v in EXPORTS.items()},
    "server": "hrh serve (queries)",
}
MAX_PROCESS_MB = 4096


def _times(r: dict[str, Any], base: dict[str, Any], key: str) -> str:
    if key not in r:  # a partial run (the scale's later steps not measured)
        return "–"
    step = r[key]
    us, base_us = step["us_per_event"], base[key]["us_per_event"]
    return f"{step['seconds']:,.1f} s · {us:.1f} µs · {us / base_us:.2f}×"


def _ratio(r: dict[str, Any], key: str) -> str:
    return f"{r[key]['ratio']:.1%}" if key in r else "–"


def markdown(results: list[dict[str, Any]]) -> str:
    base = results[0]
    lines = [
        f"Time: seconds · µs an event · × scale {base['scale']:g}'s µs an event. Ratios: events/s against "
        "the raw baselines measured in the same run (first load, the demo's generation included: raw asyncpg "
        "`executemany` of the stored rows; rebuild: raw asyncpg read + `json.loads`; import-log: a raw binary "
        "COPY of the stored rows).",
        "",
        "| scale | events | workers | " + " | ".join(PER_EVENT.values()) + " | load / raw | rebuild / raw "
        "| import-log / raw |",
        "|---|---|---|" + "---|" * (len(PER_EVENT) + 3),
    ]
    for r in results:
        cells = " | ".join(_times(r, base, key) for key in PER_EVENT)
        load = f"{r['load']['ratio']:.1%}" if "ratio" in r["load"] else "–"
        lines.append(
            f"| {r['scale']:g} | {r['events']:,} | {r['workers']:,} | {cells} | {load} | "
            f"{r['rebuild']['ratio']:.1%} | {_ratio(r, 'import_log')} |"
        )
    lines += ["", "| scale | " + " | ".join(f"export {v} s" for v in EXPORTS.values()) + " | export-log s |"]
    lines.append("|---|" + "---|" * (len(EXPORTS) + 1))
    for r in results:
        cells = " | ".join(f"{r[k]['seconds']:,.1f}" if k in r else "–" for k in EXPORTS)
        log_s = f"{r['export_log']['seconds']:,.1f}" if "export_log" in r else "–"
        lines.append(f"| {r['scale']:g} | {cells} | {log_s} |")
    lines += [
        "",
        f"Queries over HTTP, one at a time (ms): p50 / p95 (× scale {base['scale']:g}'s p95); then HTTP p95 / "
        "raw asyncpg p95, interleaved (`bench_api`: staffing, monthly densitySeries).",
        "",
        "| scale | "
        + " | ".join(QUERIES.values())
        + " | staffing HTTP / raw | density HTTP / raw | server ready s | runner loaded s |",
        "|---|" + "---|" * (len(QUERIES) + 4),
    ]
    for r in results:
        q, b = r["queries"]["http"], base["queries"]["http"]
        cells = " | ".join(f"{q[k]['p50']:.1f} / {q[k]['p95']:.1f} ({q[k]['p95'] / b[k]['p95']:.2f}×)" for k in QUERIES)
        raw = r["queries"]["against_raw"]
        settled = f"{r['queries']['server_settled_seconds']:.1f}" if "server_settled_seconds" in r["queries"] else "–"
        lines.append(
            f"| {r['scale']:g} | {cells} | {raw['staffing']['ratio_p95']:.1f}× | {raw['density']['ratio_p95']:.1f}× | "
            f"{r['queries']['server_ready_seconds']:.1f} | {settled} |"
        )
    lines += [
        "",
        "Peak memory by step (MB): the largest single hrh process (its VmHWM) · the hrh process tree's summed "
        "PSS · its processes · PostgreSQL's summed PSS · PostgreSQL's largest process RSS.",
        "",
        "| scale | " + " | ".join(STEPS.values()) + " |",
        "|---|" + "---|" * len(STEPS),
    ]
    for r in results:
        peaks = []
        for key in STEPS:
            if key not in r and key != "server":
                peaks.append("–")
                continue
            m = r["queries"]["memory"] if key == "server" else r[key]["memory"]
            over = " **over 4 GB**" if m["largest_mb"] > MAX_PROCESS_MB else ""
            pg = f"{m['pg_mb']:,} · {m['pg_largest_mb']:,}"
            peaks.append(f"{m['largest_mb']:,}{over} · {m['tree_mb']:,} · {m['processes']} · {pg}")
        lines.append(f"| {r['scale']:g} | " + " | ".join(peaks) + " |")
    lines += ["", "| scale | database (pg_database_size) GB | data folder GB | JSON Lines log GB | GB / M events |"]
    lines.append("|---|---|---|---|---|")
    for r in results:
        gb = r["data_folder_bytes"] / 2**30
        log_gb = f"{r['log_bytes'] / 2**30:.2f}" if "log_bytes" in r else "–"
        lines.append(
            f"| {r['scale']:g} | {r['database_bytes'] / 2**30:.2f} | {gb:.2f} | {log_gb} | "
            f"{gb / (r['events'] / 1e6):.2f} |"
        )
    return "\n".join(lines) + "\n"


def chart(results: list[dict[str, Any]], path: Path) -> None:
    """Time per event, query p95 and the largest process's memory by scale, log-x, into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [r["scale"] for r in results]
    figure, (times, queries, memory) = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
    for key, label in PER_EVENT.items():
        done = [r for r in results if key in r]
        times.plot([r["scale"] for r in done], [r[key]["us_per_event"] for r in done], marker="o", label=label)
    times.set(title="Time an event", ylabel="µs an event", ylim=(0, None))
    for key, label in QUERIES.items():
        queries.plot(scales, [r["queries"]["http"][key]["p95"] for r in results], marker="o", label=label)
    queries.axhline(30, color="grey", linestyle="--", linewidth=1, label="target: 30 ms")
    queries.set(title="Query p95 over HTTP", ylabel="ms", ylim=(0, None))
    for key, label in STEPS.items():
        if key.startswith("export_") and key != "export_fhir":
            continue
        values = [
            (r["queries"]["memory"] if key == "server" else r[key]["memory"])["largest_mb"]
            if key == "server" or key in r
            else None
            for r in results
        ]
        memory.plot(scales, [float("nan") if v is None else v for v in values], marker="o", label=label)
    memory.axhline(MAX_PROCESS_MB, color="grey", linestyle="--", linewidth=1, label="target: 4 GB")
    memory.set(title="Largest process's peak RSS", ylabel="MB", ylim=(0, None))
    for axes in (times, queries, memory):
        axes.set_xscale("log")
        axes.set_xticks(scales, [f"{s:g}" for s in scales])
        axes.set_xlabel("demo scale (×25,000 workers)")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
