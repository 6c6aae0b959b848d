"""Finding the units, areas and fraud types a file names — by code or exact name, in
bulk, and only inside the importing user's scope."""

from __future__ import annotations

from collections import defaultdict

from cases.models import FraudType
from imports.parsers import fold
from orgs.models import Area, Unit, UnitLevel


class UnitLookup:
    """Units by code or exact name. Loads the unit table once (thousands of rows at most)."""

    def __init__(self, user, *, level: str | None = None):
        self.level = level
        scope = Unit.objects.all() if user is None else Unit.objects.for_user(user)
        self.in_scope = set(scope.values_list("pk", flat=True))
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.only("id", "code", "name", "level", "path", "depth", "parent_id"):
            self.by_code[unit.code] = unit
            self.by_name[fold(unit.name)].append(unit)

    def find(self, text: str) -> tuple[Unit | None, str]:
        """The unit, or None and the reason."""
        what = "派出所" if self.level == UnitLevel.STATION else "单位"
        unit = self.by_code.get(text)
        if unit is None:
            matches = self.by_name.get(fold(text), [])
            if self.level:
                matches = [u for u in matches if u.level == self.level]
            if len(matches) > 1:
                return None, f"有 {len(matches)} 个{what}叫这个名字，请改用单位编码"
            unit = matches[0] if matches else None
        if unit is None:
            return None, f"找不到这个{what}（请使用单位编码或完整名称）"
        if self.level and unit.level != self.level:
            return None, f"“{unit.name}”是{unit.get_level_display()}，这里须填{what}"
        if unit.pk not in self.in_scope:
            return None, f"“{unit.name}”不在您的管辖范围内"
        return unit, ""


class AreaLookup:
    """Areas by code, or by exact name among one station's areas."""

    def __init__(self, codes_or_names: set[str], station_ids: set[int]):
        self.by_code: dict[str, Area] = {}
        self.by_station_name: dict[tuple[int, str], list[Area]] = defaultdict(list)
        areas = Area.objects.filter(code__in=codes_or_names) | Area.objects.filter(station_id__in=station_ids)
        for area in areas.only("id", "code", "name", "station_id"):
            self.by_code[area.code] = area
            self.by_station_name[(area.station_id, fold(area.name))].append(area)

    def find(self, text: str, station: Unit) -> tuple[Area | None, str]:
        area = self.by_code.get(text)
        if area is not None:
            if area.station_id != station.pk:
                return None, f"发案地“{area.name}”不属于{station.name}"
            return area, ""
        matches = self.by_station_name.get((station.pk, fold(text)), [])
        if len(matches) > 1:
            return None, f"{station.name}有 {len(matches)} 个区域叫这个名字，请改用区域编码"
        if not matches:
            return None, f"{station.name}辖区里找不到这个区域（请使用区域编码或完整名称）"
        return matches[0], ""


class FraudTypeLookup:
    def __init__(self):
        self.names: dict[str, FraudType] = {}
        for fraud_type in FraudType.objects.all():
            for name in (fraud_type.code, fraud_type.name, *fraud_type.alias_list()):
                self.names.setdefault(fold(name).lower(), fraud_type)

    def find(self, text: str) -> tuple[FraudType | None, str]:
        fraud_type = self.names.get(fold(text).lower())
        if fraud_type is None:
            return None, "未知的诈骗类型（请使用分类名称或编码，可在管理后台维护别名）"
        return fraud_type, ""
