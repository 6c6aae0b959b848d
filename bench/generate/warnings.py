"""Rows of warnings.csv: early-warning tasks, issued, signed for and handled.

The demo's levels, kinds, sources, methods and handling times, stats_bench's late (5%) /
never handled (0.2%) shares and outcomes; the history is cut at midnight today, so the last
hours' tasks are still open. Valid phone numbers and ID numbers (with their check digit).

Most of the generator's time is spent here: ``WarningRows.day`` picks by table lookups on a
few bits of 64-bit random numbers, and formats moments by two string lookups (date, clock).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

from bench.generate.helpers import TABLE, clock_strings, four_digits, id_digit_sum, lookup_table, serial_strings
from bench.generate.plan import Plan
from bench.generate.scales import HEADERS
from demo.city import GIVEN_NAMES, SURNAMES
from demo.records import FRAUD_TYPES
from demo.warnings import HANDLING_MINUTES, KINDS, LEVELS, METHODS, NAME_STYLES, SOURCES
from earlywarnings.models import ContactMethod, Outcome, RiskLevel, WarningKind, WarningSource
from earlywarnings.policy import DEFAULT_DEADLINES
from earlywarnings.validators import ID_CHECK, ID_WEIGHTS
from stats.management.commands.stats_bench import LATE_SHARE, STUCK_SHARE, TASK_OUTCOMES

# Chinese labels, as the file carries them.
RISK = dict(RiskLevel.choices)
WARNING_KIND = dict(WarningKind.choices)
WARNING_SOURCE = dict(WarningSource.choices)
METHOD = dict(ContactMethod.choices)
OUTCOME = dict(Outcome.choices)
PHONE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186",
                  "187", "188", "189", "199")  # fmt: skip
SAMPLES = 4096  # durations: 4,096 pre-drawn samples per level, indexed by twelve bits
NIGHT_SHARE, NIGHT_END, DAY_END = 0.08, 8 * 3600, 23 * 3600  # tasks follow people's day (demo.warnings)


class WarningRows:
    """A day's warning tasks, from lookup tables drawn once from the seed."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # Every date of the history, today and tomorrow, as the file writes them.
        first_day = plan.first_day
        self.date_strings = [(first_day + dt.timedelta(days=i)).isoformat() for i in range(len(plan.days) + 2)]
        self._tables(random.Random(f"{plan.seed}:tables"))

    def _tables(self, rng: random.Random) -> None:
        """Lookup tables for the hot loop: picks by ten random bits, durations by twelve."""
        levels = list(LEVELS)
        self.level_table = [levels.index(k) for k in lookup_table(LEVELS)]
        self.level_labels = [RISK[k] for k in levels]
        kinds = list(KINDS)
        self.kind_table = [kinds.index(k) for k in lookup_table(KINDS)]
        self.kind_labels = [WARNING_KIND[k] for k in kinds]
        self.fund = kinds.index("fund")
        self.source_table = [WARNING_SOURCE[k] for k in lookup_table(SOURCES)]
        self.fraud_table = lookup_table({c: FRAUD_TYPES[c][0] for c in FRAUD_TYPES})
        outcomes = list(TASK_OUTCOMES)
        self.outcome_table = [outcomes.index(k) for k in lookup_table(TASK_OUTCOMES)]
        self.outcome_labels = [OUTCOME[k] for k in outcomes]
        self.dissuaded, self.unreachable = outcomes.index("dissuaded"), outcomes.index("unreachable")
        self.method_table = [METHOD[k] for k in lookup_table(METHODS)]
        # Seconds from issue to sign-off and to handling, per level (stats_bench's Generator.task).
        self.sign, self.sign_late, self.handle, self.handle_late = [], [], [], []
        for level in levels:
            sign_limit, handle_limit = DEFAULT_DEADLINES[level]
            median, spread = HANDLING_MINUTES[level]
            self.sign.append([int(min(rng.expovariate(1 / 3) + 0.5, sign_limit * 0.9) * 60) for _ in range(SAMPLES)])
            self.sign_late.append([int(sign_limit * rng.uniform(1.1, 2.0) * 60) for _ in range(SAMPLES)])
            self.handle.append([
                int(min(rng.lognormvariate(math.log(median), spread), handle_limit * 0.95) * 60)
                for _ in range(SAMPLES)
            ])  # fmt: skip
            self.handle_late.append([int(handle_limit * rng.uniform(1.05, 1.6) * 60) for _ in range(SAMPLES)])
        # People: names as demo.warnings makes them; ID numbers born 16 to 80 years before the data starts.
        names = []
        for _ in range(TABLE):
            style = rng.choice(NAME_STYLES)
            names.append(rng.choice(SURNAMES) + (rng.choice(GIVEN_NAMES) if style == "given" else style))
        self.name_table = names
        first_day = self.plan.first_day
        oldest, youngest = first_day.replace(year=first_day.year - 80), first_day
        youngest = youngest.replace(year=youngest.year - 16, day=min(youngest.day, 28))
        self.births = []
        day = oldest.replace(day=min(oldest.day, 28))
        while day <= youngest:
            text = f"{day:%Y%m%d}"
            self.births.append((text, id_digit_sum(text, ID_WEIGHTS[6:14])))
            day += dt.timedelta(days=1)
        self.phone_heads = [rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10000):04d}" for _ in range(SAMPLES)]
        self.serials = [(f"{n:03d}", id_digit_sum(f"{n:03d}", ID_WEIGHTS[14:])) for n in range(1000)]

    def day(self, index: int, count: int, cutoff: int, window: int) -> list:
        """``count`` tasks issued on day ``index`` (0: first_day), within its first ``window``
        seconds, their history as far as ``cutoff`` (seconds since first_day's midnight).

        The hot loop of the generator: every pick is a table lookup by a few bits of three
        64-bit random numbers, every moment two string lookups (date, clock)."""
        plan = self.plan
        day = plan.first_day + dt.timedelta(days=index)
        rng = random.Random(f"{plan.seed}:warnings:{day.isoformat()}")
        stations = rng.choices(plan.task_stations, cum_weights=plan.task_weights, k=count)
        random_, bits, lognormal = rng.random, rng.getrandbits, rng.lognormvariate
        clock, dates, serial_no = clock_strings(), self.date_strings, serial_strings(count)
        level_t, level_l, kind_t, kind_l, fund = (self.level_table, self.level_labels, self.kind_table,
                                                  self.kind_labels, self.fund)  # fmt: skip
        source_t, fraud_t, outcome_t, outcome_l = (
            self.source_table,
            self.fraud_table,
            self.outcome_table,
            self.outcome_labels,
        )
        method_t, dissuaded, unreachable = self.method_table, self.dissuaded, self.unreachable
        sign_t, sign_late_t, handle_t, handle_late_t = self.sign, self.sign_late, self.handle, self.handle_late
        names, births, serials, n_births = self.name_table, self.births, self.serials, len(self.births)
        phone_heads, phone_tails = self.phone_heads, four_digits()
        late_n, stuck_n, bank_n, typed_n = (round(LATE_SHARE * TABLE), round(STUCK_SHARE * 65536), round(0.6 * TABLE),
                                            round(0.7 * TABLE))  # fmt: skip
        log_saved = math.log(20000)
        base, prefix, full, issued_on = index * 86400, f"YJ{plan.root6}{day:%Y%m%d}", window == 86400, dates[index]
        night, daytime = NIGHT_END / NIGHT_SHARE, (DAY_END - NIGHT_END) / (1 - NIGHT_SHARE)
        rows = []
        append = rows.append
        for seq, (code, id_area, id_sum) in enumerate(stations):
            u = random_()
            second = int(u * night) if u < NIGHT_SHARE else NIGHT_END + int((u - NIGHT_SHARE) * daytime)
            if not full:
                second = second * window // 86400
            issued = base + second
            a, b, c = bits(64), bits(64), bits(64)
            level = level_t[a & 1023]
            late = (a >> 10) & 1023 < late_n
            signed = issued + (sign_late_t if late and (a >> 20) & 1 else sign_t)[level][(a >> 21) & 4095]
            handled = issued + (handle_late_t if late else handle_t)[level][(a >> 33) & 4095]
            if handled < signed + 120:
                handled = signed + 120
            if (a >> 45) & 65535 < stuck_n:
                handled = None
                if (a >> 61) & 1:
                    signed = None
            if signed is not None and signed > cutoff:
                signed = handled = None
            elif handled is not None and handled > cutoff:
                handled = None
            kind = kind_t[b & 1023]
            birth, birth_sum = births[(c >> 5) % n_births]
            serial, serial_sum = serials[(c >> 25) % 1000]
            if handled is None:
                handled_at = method = outcome_label = saved = ""
            else:
                handled_at = dates[handled // 86400] + clock[handled % 86400]
                d = bits(24)
                outcome = outcome_t[d & 1023]
                outcome_label = outcome_l[outcome]
                method = "电话" if outcome == unreachable else method_t[(d >> 10) & 1023]
                saved = ""
                if outcome == dissuaded and kind == fund and (d >> 20) & 1:
                    saved = f"{min(lognormal(log_saved, 1.1), 2_000_000):.2f}"
            append([
                prefix + serial_no[seq], issued_on + clock[second], level_l[level], kind_l[kind],
                "银行" if kind == fund and (b >> 10) & 1023 < bank_n else source_t[(b >> 20) & 1023], code,
                names[(b >> 30) & 1023], phone_heads[c & 4095] + phone_tails[(c >> 35) % 10000],
                id_area + birth + serial + ID_CHECK[(id_sum + birth_sum + serial_sum) % 11],
                fraud_t[(b >> 40) & 1023] if (b >> 50) & 1023 < typed_n else "",
                "" if signed is None else dates[signed // 86400] + clock[signed % 86400],
                handled_at, method, outcome_label, saved,
            ])  # fmt: skip
        return rows

    def write(self, path: Path, first: int, last: int, header: bool) -> None:
        """Days ``first`` to ``last`` (exclusive) of warnings; the history ends at midnight today."""
        cutoff = len(self.plan.days) * 86400
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if header:
                writer.writerow(HEADERS["warnings"])
            for index in range(first, last):
                writer.writerows(self.day(index, self.plan.task_counts[index], cutoff, 86400))
