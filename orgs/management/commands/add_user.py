import getpass

from django.core.management.base import BaseCommand, CommandError

from orgs.roles import Role
from orgs.services import OrgsError, user_create


class Command(BaseCommand):
    help = "创建用户：python manage.py add_user USERNAME --unit CODE --role ROLE [--password P]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="所属单位编码")
        parser.add_argument("--role", required=True, help="角色：" + ", ".join(Role.values))
        parser.add_argument("--password", help="不提供时交互输入")
        parser.add_argument("--name", default="", help="姓名（可选）")

    def handle(self, *args, username, unit, role, password, name, **options):
        if password is None:
            password = self._prompt_password()
        try:
            user = user_create(username=username, unit_code=unit, role=role, password=password, last_name=name)
        except OrgsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已创建用户 {user.username}：{user.unit.name} · {user.get_role_display()}")
        )

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("密码：")
            second = getpass.getpass("再次输入密码：")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("未输入密码。非交互使用时请加 --password。") from exc
        if first != second:
            raise CommandError("两次输入的密码不一致。")
        return first
