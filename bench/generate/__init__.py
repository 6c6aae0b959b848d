"""Benchmark data in the import formats: deterministic, streamed to CSV, day by day.

``generate(scale, out_dir)`` writes one file per kind of DATA.md's "Files people import"
(units, areas, cases, case_events, warnings, publicity; Chinese headers, UTF-8), ready for
``python manage.py import_data KIND FILE``, and a second set under ``extra/`` holding ONE
more day (today, the day after the last one) with new keys, to time an incremental load.

Deterministic: every day draws from its own ``random.Random(f"{seed}:{kind}:{day}")``, so
the same seed, ``today`` and ``now`` give byte-identical files, with one worker or two.
``now`` matters only for the extra day's warnings (a task cannot be issued in the future):
by default the end of ``today`` when it is past, else the current hour.

Needs Django set up (the distributions come from ``demo`` and ``stats_bench``). The files
are as large as the scale says: the province's warnings.csv is about 1.8 GB, above the
intake's ``IMPORT_MAX_FILE_SIZE`` (200 MB by default), which a loader must raise or work around.

The modules:

- ``scales``: ``Scale`` and ``SCALES``, the file kinds and their headers, the ``Manifest``;
- ``tree``: the units (province or city, counties, stations) and their 社区, units.csv and areas.csv;
- ``plan``: the days, and each station's and each day's share of the rows;
- ``cases``, ``warnings``, ``publicity``: a day's rows of each kind;
- ``driver``: ``generate()``, which writes them all (warnings in two processes when it pays);
- ``helpers``: lookup tables, shares, ID check sums, pre-formatted strings, CSV files.
"""

from bench.generate.driver import generate
from bench.generate.scales import EXTRA_KINDS, HEADERS, KINDS_IN_ORDER, SCALES, Manifest, Scale

__all__ = ["EXTRA_KINDS", "HEADERS", "KINDS_IN_ORDER", "SCALES", "Manifest", "Scale", "generate"]
