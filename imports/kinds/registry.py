"""The kinds the intake knows. A new kind is a ``Kind`` subclass added here."""

from imports.kinds.base import Kind
from imports.kinds.cases import CaseEventsKind, CasesKind
from imports.kinds.orgs import AreasKind, UnitsKind
from imports.kinds.publicity import PublicityKind
from imports.kinds.warnings import WarningsKind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (UnitsKind(), AreasKind(), CasesKind(), CaseEventsKind(),
                                                        WarningsKind(), PublicityKind())}  # fmt: skip
