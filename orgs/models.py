"""The unit tree (city → county → station), the areas a station polices, and users.

Everything else in the product stands on these: every record belongs to a unit, and
every query a user makes is limited to their unit's subtree through ``for_user(user)``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from simple_history.models import HistoricalRecords

from orgs.roles import ROLE_GROUP_NAMES, STAFF_ROLES, Role

PATH_SEPARATOR = "/"

code_validator = RegexValidator(r"^[A-Za-z0-9_-]+$", "编码只能包含字母、数字、下划线和连字符。")


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to a unit: ``scope_field`` names the foreign key to ``Unit``.

    ``for_user(user)`` is the one way pages, the API, exports and bulletins read
    records: a user sees their unit's subtree, superusers see everything, anyone
    else (anonymous, inactive, no unit) sees nothing.
    """

    scope_field = "unit"

    def for_user(self, user) -> ScopedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.unit_id is None:
            return self.none()
        return self.within(user.unit)

    def within(self, unit: Unit) -> ScopedQuerySet:
        return self.filter(**{f"{self.scope_field}__in": Unit.objects.subtree(unit).values("pk")})


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "省厅"
    CITY = "city", "市局"
    COUNTY = "county", "县(区)局"
    STATION = "station", "派出所"


LEVEL_RANK = {UnitLevel.PROVINCE: 0, UnitLevel.CITY: 1, UnitLevel.COUNTY: 2, UnitLevel.STATION: 3}


class UnitQuerySet(ScopedQuerySet):
    def within(self, unit: Unit) -> UnitQuerySet:
        return self.subtree(unit)

    def subtree(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def stations(self) -> UnitQuerySet:
        return self.filter(level=UnitLevel.STATION)


class Unit(models.Model):
    """A police unit: province department, city bureau, county bureau or station.

    The tree is a materialized path of unit codes: a station's ``path`` is
    ``"990100000000/990102000000/990102510001/"``. A subtree is then one indexed
    ``path LIKE 'prefix%'`` (PostgreSQL gets a ``varchar_pattern_ops`` index for it
    automatically), cheap at thousands of units, and records are scoped with
    ``station_id IN (SELECT id FROM unit WHERE path LIKE ...)``. Codes rather than ids
    make the path known before the row is inserted, so an import can create a whole
    tree in one pass. The price is paid on the rare move or re-code: ``save()``
    rewrites the descendants' paths in the same transaction.
    """

    code = models.CharField("单位编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField("常住人口", null=True, blank=True)
    path = models.CharField("路径", max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("深度", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "path", "depth"])

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            # Read both paths from the database: an in-memory parent may be stale.
            parent_path = ""
            if self.parent_id:
                parent_path = Unit.objects.filter(pk=self.parent_id).values_list("path", flat=True).get()
            new_path = f"{parent_path}{self.code}{PATH_SEPARATOR}"
            old_path = None
            if self.pk:
                old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            self.path = new_path
            self.depth = new_path.count(PATH_SEPARATOR) - 1
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                self._move_descendants(old_path, new_path)

    @property
    def is_station(self) -> bool:
        return self.level == UnitLevel.STATION

    def clean(self) -> None:
        if self.parent_id is None:
            return
        parent = self.parent
        if self.pk and parent.path.startswith(self.path):
            raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})
        if self.level and LEVEL_RANK[UnitLevel(parent.level)] >= LEVEL_RANK[UnitLevel(self.level)]:
            raise ValidationError(
                {"parent": f"{parent.get_level_display()}不能作为{self.get_level_display()}的上级单位。"}
            )

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        """Rewrite the paths under this unit after a move or a change of code."""
        shift = new_path.count(PATH_SEPARATOR) - old_path.count(PATH_SEPARATOR)
        Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=models.F("depth") + shift,
        )

    def ancestors(self, *, include_self: bool = False) -> list[Unit]:
        codes = self.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
        if not include_self:
            codes = codes[:-1]
        return list(Unit.objects.filter(code__in=codes).order_by("depth"))

    def is_within(self, unit: Unit) -> bool:
        return self.path.startswith(unit.path)


class AreaKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇"
    SUBDISTRICT = "subdistrict", "街道"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "村"


TOP_AREA_KINDS = {AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT}


class AreaQuerySet(ScopedQuerySet):
    scope_field = "station"


def validate_geometry(value) -> None:
    """Accept a GeoJSON Polygon or MultiPolygon geometry (lon/lat rings)."""
    if value in (None, ""):
        return
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError("地图范围须为 GeoJSON 的 Polygon 或 MultiPolygon。")
    polygons = value.get("coordinates")
    if value["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ValidationError("地图范围的每个环至少 4 个点且首尾相同。")
                for lon, lat in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ValidationError("地图范围的坐标超出经纬度范围。")
    except (TypeError, ValueError) as exc:
        raise ValidationError("地图范围的坐标格式不正确。") from exc


class Area(models.Model):
    """A township / subdistrict (乡镇 / 街道) or a community / village (社区 / 村).

    Areas locate where a case happened (发案地图, 社区多发). Each is policed by one
    station; a community may sit under a township or subdistrict. ``geometry`` is an
    optional GeoJSON geometry in WGS-84 lon/lat, drawn offline by the dashboards.
    """

    code = models.CharField("区域编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("区域名称", max_length=100)
    kind = models.CharField("区域类型", max_length=16, choices=AreaKind.choices)
    station = models.ForeignKey(
        Unit,
        verbose_name="所属派出所",
        on_delete=models.PROTECT,
        related_name="areas",
        limit_choices_to={"level": UnitLevel.STATION},
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级区域", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField("常住人口", null=True, blank=True)
    geometry = models.JSONField("地图范围", null=True, blank=True, validators=[validate_geometry])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = AreaQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.station_id and self.station.level != UnitLevel.STATION:
            errors["station"] = "区域只能归属于派出所。"
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = "上级区域不能是本区域。"
            elif self.parent.kind not in TOP_AREA_KINDS or self.kind in TOP_AREA_KINDS:
                errors["parent"] = "只有社区、村可以归属于乡镇、街道。"
        if errors:
            raise ValidationError(errors)


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: belongs to one unit with one role.

    The role decides what they may do (through the Django group of the same name,
    kept in sync here); the unit decides what they may see (its subtree). Superusers
    see everything and may have no unit.
    """

    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)

    objects = ScopedUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        swappable = "AUTH_USER_MODEL"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_role = instance.__dict__.get("role")
        return instance

    def clean(self) -> None:
        super().clean()
        if not self.is_superuser and (self.unit_id is None or not self.role):
            raise ValidationError("除超级管理员外，每个用户都必须有所属单位和角色。")

    def save(self, *args, **kwargs) -> None:
        role_changed = self._state.adding or getattr(self, "_stored_role", None) != self.role
        if role_changed:
            # Only clerks (and superusers) work in the admin; a new role resets it.
            self.is_staff = self.is_superuser or self.role in STAFF_ROLES
        with transaction.atomic():
            super().save(*args, **kwargs)
            if role_changed:
                self._sync_role_group()
        self._stored_role = self.role

    def _sync_role_group(self) -> None:
        """Keep exactly one role group: the one named after ``role``."""
        role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
        self.groups.remove(*role_groups)
        if self.role:
            group, _ = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[self.role])
            self.groups.add(group)

    @property
    def display_name(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user, shown under the bell in the top bar (and mailed when mail
    is configured). ``key`` makes sending idempotent: one notification per key and user."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=120)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
