"""Factories for the unit tree and users."""

import datetime
from decimal import Decimal

import factory

from cases.models import CaseEvent, EventKind, FraudCase, FraudType
from orgs.models import Area, AreaKind, Unit, UnitLevel, User
from orgs.roles import Role
from publicity.models import PublicityActivity, PublicityForm

TEST_PASSWORD = "Test-pass-2026"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    level = UnitLevel.STATION
    population = 50000


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"A{n:05d}")
    name = factory.Sequence(lambda n: f"社区{n}")
    kind = AreaKind.COMMUNITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CaseFactory(factory.django.DjangoModelFactory):
    """A filed case; pass ``station``. The fraud type defaults to 刷单返利 (seeded)."""

    class Meta:
        model = FraudCase

    case_no = factory.Sequence(lambda n: f"J{n:08d}")
    reported_on = datetime.date(2026, 5, 1)
    fraud_type = factory.LazyFunction(lambda: FraudType.objects.get(code="01"))
    loss = Decimal("5000.00")


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    kind = EventKind.RECOVER
    occurred_on = datetime.date(2026, 5, 10)
    amount = Decimal("1000.00")


class PublicityFactory(factory.django.DjangoModelFactory):
    """An activity; pass ``unit``."""

    class Meta:
        model = PublicityActivity

    held_on = datetime.date(2026, 5, 2)
    title = factory.Sequence(lambda n: f"反诈宣传进社区{n}")
    form = PublicityForm.COMMUNITY
    reach = 120


def _now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()


class WarningTaskFactory(factory.django.DjangoModelFactory):
    """An early-warning task issued through ``earlywarnings.services.warning_issue`` (so its
    deadlines come from the policy and its timeline starts with 下发); pass ``station``.

    ``WarningTaskFactory(station=unit, level="high", issued_at=<aware datetime>)``; other
    model fields (subject_name, subject_phone, kind, source, …) may be passed too."""

    class Meta:
        model = "earlywarnings.WarningTask"

    task_no = factory.Sequence(lambda n: f"YJ{n:08d}")
    level = "high"
    kind = "phone"
    source = "province"
    issued_at = factory.LazyFunction(lambda: _now())
    subject_name = "张三"
    subject_phone = "13800138000"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from earlywarnings.services import warning_issue

        return warning_issue(**kwargs)
