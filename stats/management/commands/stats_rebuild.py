"""``python manage.py stats_rebuild``: recompute the rollups from the raw records (all of
them, or from a day on), or with ``--refresh`` bring them up to date incrementally."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stats import refresh as rollups
from stats.breakdowns import StatsRequestError, parse_date


class Command(BaseCommand):
    help = "重建统计汇总表（全部，或 --since 某日起）；加 --refresh 则只增量刷新有改动的部分。"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只重建该日（YYYY-MM-DD）及以后的汇总；与 --refresh 同用时，"
                            "重读该日以后改动过的记录")  # fmt: skip
        parser.add_argument("--refresh", action="store_true", help="增量刷新，而不是重建")

    def handle(self, *args, since: str | None, refresh: bool, **options):
        day = None
        if since:
            try:
                day = parse_date(since, field="since", prefix="--")
            except StatsRequestError as exc:
                raise CommandError(exc.message) from exc
        if refresh:
            start = None if day is None else timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            result = rollups.refresh(since=start)
        else:
            result = rollups.rebuild(since=day)
        scope = f"（重建 {day.isoformat()} 及以后的汇总）" if day and not refresh else ""
        self.stdout.write(self.style.SUCCESS(f"{result}{scope}"))
