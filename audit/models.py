"""The audit log: who did what, when, from where — append-only.

Record changes (who changed which case, task or activity) are kept by django-simple-history
on each record; this table keeps the acts that are not a record's change: sign-ins and
failed sign-ins, imports, issuing bulletins, and every deliberate look at personal data.
Nothing personal is written here: a reveal names the record and the reason, never the
values shown.
"""

from django.conf import settings
from django.db import models


class Act(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "登录被锁定"
    LOGOUT = "logout", "退出"
    IMPORT = "import", "导入数据"
    ISSUE = "issue", "签发通报"
    REVEAL = "reveal", "查看个人信息"
    EXPORT = "export", "导出个人信息"


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    act = models.CharField("操作", max_length=16, choices=Act.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # As typed at the login form (a failed login may name no user that exists).
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        default_permissions = ("view",)  # appended by the code only: nobody adds, edits or deletes

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_act_display()} {self.target}"
