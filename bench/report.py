"""A benchmark run's results: JSON in bench/results/<scale>.json and, in docs/benchmarks.md,
the table of every figure beside its target (between markers, replaced by the next run of
the same scale)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

RESULTS = Path(settings.BASE_DIR) / "bench" / "results"
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"


def _metric_rows(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(figure, measured, target, met) for each targeted figure present in ``results``."""
    rows = []
    imp = results.get("import")
    if imp:
        rows.append(("intake (`import_data`) vs bare `COPY` of the same CSVs",
                     f"{imp['intake_seconds']:.1f} s vs {imp['copy_seconds']:.1f} s = **{imp['ratio']:.1f}×**",
                     "≤ 2.0×", imp["ratio"] <= 2.0))  # fmt: skip
    roll = results.get("rollups")
    if roll and roll.get("duckdb"):
        rows.append(("full rollup rebuild vs DuckDB over the same CSVs",
                     f"{roll['rebuild_seconds']:.1f} s vs {roll['duckdb']['total']:.1f} s = **{roll['ratio']:.1f}×**",
                     "≤ 3×", roll["ratio"] <= 3))  # fmt: skip
    ref = results.get("refresh")
    if ref:
        rows.append(("incremental refresh after one more day",
                     f"{ref['refresh_seconds']:.2f} s = **{ref['share_of_rebuild']:.1%}** of the rebuild",
                     "≤ 1%", ref["share_of_rebuild"] <= 0.01))  # fmt: skip
    answers = results.get("answers")
    if answers:
        worst_key, worst = max(
            ((k, a) for k, a in answers.items() if k.startswith("metrics.")), key=lambda item: item[1]["p95_ms"]
        )
        rows.append(("`metrics()`, any unit and period, with 同比 and 环比",
                     f"worst p95 **{worst['p95_ms']:.0f} ms** ({worst_key.removeprefix('metrics.')})",
                     "p95 ≤ 50 ms", worst["p95_ms"] <= 50))  # fmt: skip
    load = results.get("load")
    if load:
        rows.append((f"pages and API under {load['clients']} concurrent clients ({load['seconds']:.0f} s)",
                     f"p50 {load['p50_ms']:.0f} ms, p95 **{load['p95_ms']:.0f} ms**, {load['errors']} errors "
                     f"of {load['requests']}", "p95 ≤ 300 ms, 0 errors",
                     load["p95_ms"] <= 300 and load["errors"] == 0))  # fmt: skip
    bulletins = results.get("bulletins")
    if bulletins:
        docx, pdf = bulletins["render"]["docx"]["seconds"], bulletins["render"]["pdf"]["seconds"]
        rows.append((f"monthly bulletin payloads for every unit ({bulletins['units']}), one worker",
                     f"**{bulletins['payloads_seconds']:.1f} s**; one rendered: Word {docx:.1f} s, PDF {pdf:.1f} s",
                     "≤ 60 s", bulletins["payloads_seconds"] <= 60))  # fmt: skip
    return rows


def markdown(results: dict) -> str:
    m = results["machine"]
    data = results.get("data", {})
    rows = data.get("rows", {})
    lines = [
        f"### `make bench SCALE={results['scale']}` — {m['date']}, {m['cores']} cores, "
        f"{m['memory_mb'] / 1024:.0f} GiB, PostgreSQL",
        "",
        "Data: "
        + ", ".join(f"{n:,} {kind}" for kind, n in rows.items())
        + f" (generated in {data.get('generate_seconds', 0):.0f} s)."
        + f" Whole run: {results.get('total_seconds', 0):.0f} s.",
        "",
        "| figure | measured (side by side, this run) | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for figure, measured, target, met in _metric_rows(results):
        lines.append(f"| {figure} | {measured} | {target} | {'yes' if met else '**no**'} |")
    answers = results.get("answers", {})
    if answers:
        lines += ["", "| answer | p50 | p95 |", "| --- | --- | --- |"]
        for key, a in answers.items():
            lines.append(f"| {key} | {a['p50_ms']:.0f} ms | {a['p95_ms']:.0f} ms |")
    by_path = results.get("load", {}).get("by_path", {})
    if by_path:
        lines += ["", "| under load: path | requests | p50 | p95 | errors |", "| --- | --- | --- | --- | --- |"]
        for path, a in by_path.items():
            lines.append(f"| `{path}` | {a['n']} | {a['p50_ms']:.0f} ms | {a['p95_ms']:.0f} ms | {a['errors']} |")
    return "\n".join(lines) + "\n"


def write_results(results: dict, *, docs: bool = True) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{results['scale']}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if docs and DOCS.exists():
        scale = results["scale"]
        write_block(DOCS, f"<!-- bench:{scale} -->", f"<!-- /bench:{scale} -->", markdown(results))
    return path


def write_block(path: Path, start: str, end: str, body: str, *, new: str = "") -> None:
    """Put ``body`` between the ``start`` and ``end`` markers of the Markdown file at
    ``path`` (replacing what was there), or at its end with the markers when it has none;
    a missing file starts as ``new``."""
    text = path.read_text(encoding="utf-8") if path.exists() else new
    block = f"{start}\n{body}{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
