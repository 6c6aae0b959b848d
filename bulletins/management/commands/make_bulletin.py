"""``python manage.py make_bulletin``: draft (and issue, or correct) one unit's bulletin of one
kind by hand, and write its files — what the schedule and the web pages do, from a shell.

    make_bulletin --kind month --date 2026-10-15 --unit 990100000000 --issue --user analyst --out out/

Drafting is idempotent: a bulletin already drafted for that unit, kind and period is reused
(a failed one is retried), and so is a correction still waiting to be issued.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bulletins import services
from bulletins.models import Bulletin, BulletinKind, BulletinStatus
from bulletins.render import FORMATS
from orgs.models import Unit, User

KINDS = "、".join(f"{value}（{label}）" for value, label in BulletinKind.choices)


class Command(BaseCommand):
    help = (
        "起草（并签发或更正）一个单位一期的通报，可导出文件："
        "make_bulletin --kind KIND --date YYYY-MM-DD --unit CODE [--issue] [--user USERNAME] "
        "[--out DIR] [--format docx,pdf,xlsx] [--correct --note TEXT]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", help=f"通报类别：{KINDS}")
        parser.add_argument("--date", help="期间内的任一天，YYYY-MM-DD（期间须已结束）")
        parser.add_argument("--unit", help="单位编码")
        parser.add_argument("--issue", action="store_true", help="签发草稿（编第N期）")
        parser.add_argument("--user", help="起草人 / 签发人的用户名（默认无：视同定时任务）")
        parser.add_argument("--correct", action="store_true", help="按当前数据生成现行已签发通报的更正版")
        parser.add_argument("--note", default="", help="更正说明（与 --correct 一起使用）")
        parser.add_argument("--out", help="把文件写入该目录（不存在则创建）")
        parser.add_argument("--format", help=f"导出格式，逗号分隔（默认全部：{','.join(FORMATS)}）")

    def handle(self, *args, **options):
        kind = parse_kind(options["kind"])
        day = parse_date(options["date"])
        unit = find_unit(options["unit"])
        user = find_user(options["user"])
        if options["format"] and not options["out"]:
            raise CommandError("--format 需与 --out（导出目录）一起使用。")
        formats = parse_formats(options["format"] or ",".join(FORMATS)) if options["out"] else []
        if options["note"] and not options["correct"]:
            raise CommandError("--note 仅与 --correct 一起使用。")
        try:
            if options["correct"]:
                bulletin = self.correction(unit, kind, day, user=user, note=options["note"])
            else:
                bulletin = self.draft(unit, kind, day, user=user)
            if options["issue"]:
                bulletin = self.issue(bulletin, user=user)
            self.show(bulletin)
            if formats:
                self.write_files(bulletin, formats, Path(options["out"]))
        except services.BulletinError as exc:
            raise CommandError(str(exc)) from exc

    # Steps

    def draft(self, unit: Unit, kind: str, day: dt.date, *, user) -> Bulletin:
        bulletin, created = services.draft(unit, kind, day, user=user)
        if bulletin.status == BulletinStatus.FAILED:
            self.show(bulletin)
            raise CommandError(f"通报生成失败：{bulletin.error}")
        if created:
            self.stdout.write("已起草通报。")
        else:
            self.stdout.write(f"该期通报已存在（{bulletin.get_status_display()}），沿用，未重新起草。")
        return bulletin

    def correction(self, unit: Unit, kind: str, day: dt.date, *, user, note: str) -> Bulletin:
        period = services.ended(kind, day, timezone.localdate())
        current = Bulletin.objects.filter(
            unit=unit, kind=kind, period_start=period.start, status=BulletinStatus.ISSUED
        ).first()
        if current is None:
            raise CommandError(f"{unit.name}{period.label}的{BulletinKind(kind).label}尚未签发，无可更正的版本。")
        pending = Bulletin.objects.filter(corrects=current).first()
        if pending is not None:
            self.stdout.write(f"已有待签发的更正版（第{pending.revision}版），沿用。")
            return pending
        bulletin = services.correct(current, user=user, note=note)
        self.stdout.write(f"已生成更正版（第{bulletin.revision}版），{len(bulletin.changes)}项数字有变化。")
        return bulletin

    def issue(self, bulletin: Bulletin, *, user) -> Bulletin:
        if bulletin.is_frozen:
            self.stdout.write(f"该通报{bulletin.get_status_display()}（{bulletin.number_label}），无需再签发。")
            return bulletin
        bulletin = services.issue(bulletin, user=user)
        self.stdout.write(f"已签发：{bulletin.number_label}。")
        return bulletin

    def show(self, bulletin: Bulletin) -> None:
        self.stdout.write(
            f"{bulletin.unit.name}（{bulletin.unit.code}） · {bulletin.period_label} · {bulletin.get_kind_display()}"
            f" · {bulletin.number_label} · 第{bulletin.revision}版 · {bulletin.get_status_display()}"
        )
        for paragraph in (bulletin.payload or {}).get("summary", []):
            heading, text = paragraph["heading"], paragraph["text"]
            self.stdout.write(text if text.startswith(heading) else f"{heading}：{text}")

    def write_files(self, bulletin: Bulletin, formats: list[str], out: Path) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"无法创建目录“{out}”：{exc.strerror}") from exc
        for fmt in formats:
            path = out / services.filename(bulletin, fmt)
            content = services.file_bytes(bulletin, fmt)
            path.write_bytes(content)
            self.stdout.write(f"已写入 {path}（{len(content):,} 字节）")


# Arguments


def parse_kind(text: str | None) -> str:
    if not text:
        raise CommandError(f"缺少参数 --kind（通报类别）：可用 {KINDS}。")
    text = text.strip()
    for value, label in BulletinKind.choices:
        if text in (value, label):
            return value
    raise CommandError(f"未知的通报类别“{text}”：可用 {KINDS}。")


def parse_date(text: str | None) -> dt.date:
    if not text:
        raise CommandError("缺少参数 --date（期间内的任一天，YYYY-MM-DD）。")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"日期“{text}”格式不对，应为 YYYY-MM-DD，例如 2026-10-15。") from None


def find_unit(code: str | None) -> Unit:
    if not code:
        raise CommandError("缺少参数 --unit（单位编码）。")
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise CommandError(f"单位编码“{code}”不存在。")
    return unit


def find_user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在。")
    return user


def parse_formats(text: str) -> list[str]:
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise CommandError(f"不支持的格式“{'、'.join(unknown) or text}”：可用 {'、'.join(FORMATS)}。")
    return list(dict.fromkeys(formats))
