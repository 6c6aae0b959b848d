import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.kinds.registry import KINDS
from imports.models import ImportStatus
from imports.services import import_execute, import_submit
from orgs.errors import DomainError
from orgs.models import User

ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = "导入上级平台导出的数据文件（CSV 或 XLSX）。KIND: " + ", ".join(KINDS)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="数据类型")
        parser.add_argument("file", help="CSV（UTF-8 / GBK）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--partial", action="store_true", help="跳过错误行，导入其余正确的行")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：系统，全部范围）")

    def handle(self, *args, kind, file, dry_run, partial, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户“{user}”不存在或已停用。")
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                job = import_submit(
                    kind=kind, file_name=path.name, data=handle, user=actor, source="cli",
                    dry_run=dry_run, partial=partial, run=False,
                )  # fmt: skip
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        job = import_execute(job.pk)
        elapsed = time.monotonic() - started
        self._report(job, elapsed)
        if job.status not in (ImportStatus.APPLIED, ImportStatus.CHECKED):
            sys.exit(1)

    def _report(self, job, elapsed: float) -> None:
        out = self.stdout
        rate = job.rows_read / elapsed if elapsed else 0
        out.write(f"导入编号 {job.pk} · {job.get_kind_display()} · {job.file_name} · 编码 {job.encoding or '—'}")
        out.write(
            f"读取 {job.rows_read} 行：新增 {job.created}，更新 {job.updated}，未变 {job.unchanged}，"
            f"错误 {job.refused}；用时 {elapsed:.1f} 秒，每秒 {rate:,.0f} 行"
        )
        if job.unknown_columns:
            out.write("未识别的列（已忽略）：" + "、".join(job.unknown_columns))
        for warning in job.warnings[:ERRORS_SHOWN]:
            out.write(self.style.WARNING("提示：" + warning))
        for error in job.errors[:ERRORS_SHOWN]:
            out.write(
                self.style.ERROR(f"第 {error['row']} 行 [{error['column']}] “{error['value']}”：{error['reason']}")
            )
        if job.refused > ERRORS_SHOWN:
            out.write(f"……共 {job.refused} 行有误，完整清单见网页上的导入记录 {job.pk}。")
        style = self.style.SUCCESS if job.status in (ImportStatus.APPLIED, ImportStatus.CHECKED) else self.style.ERROR
        out.write(style(f"{job.get_status_display()}：{job.message}"))
