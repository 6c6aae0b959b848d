"""The benchmark's report: every targeted figure beside its target, in docs/benchmarks.md
between markers that the next run of the same scale replaces."""

import json

from bench import report

RESULTS = {
    "scale": "small",
    "machine": {"cores": 2, "memory_mb": 24576, "date": "2026-11-23"},
    "data": {"rows": {"cases": 20000, "warnings": 200000}, "generate_seconds": 1.1},
    "total_seconds": 145,
    "import": {"intake_seconds": 77.7, "copy_seconds": 0.5, "ratio": 155.4},
    "rollups": {"rebuild_seconds": 3.8, "duckdb": {"total": 0.3}, "ratio": 12.7},
    "refresh": {"refresh_seconds": 0.02, "share_of_rebuild": 0.005},
    "answers": {
        "metrics.city.year": {"p50_ms": 110, "p95_ms": 138},
        "metrics.station.month": {"p50_ms": 12, "p95_ms": 13},
    },
    "load": {"clients": 20, "seconds": 15, "requests": 497, "errors": 0, "p50_ms": 176, "p95_ms": 290},
    "bulletins": {"units": 36, "payloads_seconds": 2.0, "render": {"docx": {"seconds": 0.9}, "pdf": {"seconds": 1.7}}},
}


def test_each_target_is_judged():
    table = report.markdown(RESULTS)
    assert (
        "| intake (`import_data`) vs bare `COPY` of the same CSVs | 77.7 s vs 0.5 s = **155.4×** | ≤ 2.0× | **no** |"
        in table
    )
    assert "worst p95 **138 ms** (city.year) | p95 ≤ 50 ms | **no** |" in table
    assert "**0.5%** of the rebuild | ≤ 1% | yes |" in table
    assert "p95 **290 ms**, 0 errors of 497 | p95 ≤ 300 ms, 0 errors | yes |" in table
    assert "2 cores, 24 GiB" in table


def test_a_run_replaces_its_own_section_only(tmp_path, monkeypatch):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- bench:city -->\nkept\n<!-- /bench:city -->\n", encoding="utf-8")
    monkeypatch.setattr(report, "DOCS", docs)
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results")

    report.write_results(RESULTS)
    report.write_results({**RESULTS, "total_seconds": 99})

    text = docs.read_text(encoding="utf-8")
    assert text.count("<!-- bench:small -->") == 1 and "Whole run: 99 s." in text and "kept" in text
    assert json.loads((tmp_path / "results" / "small.json").read_text(encoding="utf-8"))["total_seconds"] == 99
