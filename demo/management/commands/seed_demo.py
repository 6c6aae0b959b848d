import unicodedata

from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.bulletins import demo_bulletins_seed
from demo.city import DEFAULT_PASSWORD, demo_city_seed
from demo.records import demo_records_seed, demo_years
from demo.warnings import demo_warnings_seed
from orgs.models import Unit
from stats.refresh import refresh


class Command(BaseCommand):
    help = "载入演示城市（江临市）：单位、区域、地图、各角色账号，以及三年多的案件、宣传和预警任务。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="新建演示账号的密码")
        parser.add_argument("--no-records", action="store_true", help="只建单位和账号，不生成案件、宣传和预警任务")
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印账号清单")

    def handle(self, *args, seed, password, no_records, quiet_accounts, **options):
        plan, report = demo_city_seed(seed=seed, password=password)
        for kind in ("单位", "区域", "用户"):
            self.stdout.write(
                f"{kind}：新建 {report.created.get(kind, 0)}，更新 {report.updated.get(kind, 0)}，"
                f"未变 {report.unchanged.get(kind, 0)}"
            )
        if not no_records:
            today = timezone.localdate()
            start, end = demo_years(today)
            self.stdout.write(f"生成 {start:%Y年%-m月%-d日} 至 {end:%Y年%-m月%-d日} 的案件、宣传活动和预警任务……")
            records = demo_records_seed(seed=seed, today=today)
            self.stdout.write(
                f"案件：新建 {records.cases_created}，更新 {records.cases_updated}，未变 {records.cases_unchanged}"
            )
            self.stdout.write(f"宣传活动：新建 {records.publicity_created}，未变 {records.publicity_unchanged}")
            warnings = demo_warnings_seed(seed=seed, now=timezone.now())
            self.stdout.write(
                f"预警任务：新建 {warnings.created}，更新 {warnings.updated}，未变 {warnings.unchanged}；"
                f"关联预后被骗案件 {warnings.linked}；今日新下发 {warnings.live_created}，"
                f"当前在办 {warnings.open_today}"
            )
            self.stdout.write(f"统计汇总：{refresh()}")
            issued = demo_bulletins_seed(today)
            self.stdout.write(f"通报：签发上上月的月通报 {issued} 份（上月的由定时任务起草，待研判员签发）")
        if quiet_accounts:
            return
        names = dict(Unit.objects.values_list("code", "name"))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"演示账号（新建账号的密码：{password}；已存在的账号保留原密码）"))
        rows = [
            (a.username, a.role.label + ("，超级管理员" if a.superuser else ""), names[a.unit_code])
            for a in plan.accounts
        ]
        widths = [max(display_width(row[i]) for row in rows) for i in range(2)]
        for username, role, unit in rows:
            self.stdout.write(f"  {pad(username, widths[0])}  {pad(role, widths[1])}  {unit}")


def display_width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
