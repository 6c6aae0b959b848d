"""Renderers: a bulletin's document as Word, PDF and Excel (and the HTML the app previews).

Every renderer takes the same ``doc`` (``bulletins.services.document``) and reads nothing
else — no database, no network, no browser:

    doc = {
        "payload": {...},   # bulletins.payload.build_payload: the figures, tables, text
        "issue": {
            "kind": "month", "kind_label": "月通报",
            "status": "draft" | "issued" | "superseded",
            "number": 10 | None, "year": 2026,
            "number_label": "2026年第10期" | "草稿（签发时编号）",
            "revision": 1,                       # 2, 3… for corrected re-issues
            "issued_at": "2026-11-02T09:30:00+08:00" | None,
            "issued_by": "王明" | None,
            "correction_note": "",               # the analyst's words on a corrected revision
            "changes": [                          # figures that differ from the revision before
                {"key": "overall.cases", "label": "全市·发案数", "old": 97, "new": 98, "measure": "起"},
            ],
        },
    }

``render(doc, fmt)`` returns the file's bytes for ``fmt`` in ``FORMATS``.
"""

from __future__ import annotations

FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def render(doc: dict, fmt: str) -> bytes:
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(doc)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(doc)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(doc)
    raise ValueError(f"unknown format {fmt!r}")
