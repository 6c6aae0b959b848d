"""The default taxonomy: the MPS list of ten common fraud types, plus 其他."""

from django.db import migrations

FRAUD_TYPES = [
    ("01", "刷单返利", "刷单,刷单返利类,网络刷单"),
    ("02", "虚假网络投资理财", "投资理财,虚假投资理财,网络投资理财"),
    ("03", "虚假网络贷款", "网络贷款,虚假贷款,贷款"),
    ("04", "冒充电商物流客服", "冒充客服,冒充电商客服,冒充物流客服"),
    ("05", "冒充公检法", "冒充公检法及政府机关,冒充公检法机关"),
    ("06", "虚假征信", "注销校园贷,消除不良征信"),
    ("07", "虚假购物服务", "虚假购物,网络购物"),
    ("08", "冒充领导熟人", "冒充熟人,冒充领导"),
    ("09", "网络游戏产品虚假交易", "游戏交易,网络游戏虚假交易"),
    ("10", "网络婚恋交友", "杀猪盘,网络婚恋交友(杀猪盘),婚恋交友"),
    ("99", "其他", "其它"),
]


def seed(apps, schema_editor):
    FraudType = apps.get_model("cases", "FraudType")
    for order, (code, name, aliases) in enumerate(FRAUD_TYPES, start=1):
        FraudType.objects.get_or_create(code=code, defaults={"name": name, "aliases": aliases, "order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
