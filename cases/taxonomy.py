"""The default fraud-type taxonomy: the MPS list of ten common types, plus 其他."""

DEFAULT_FRAUD_TYPES = [
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


def fraud_types_seed(fraud_type_model) -> None:
    """Create the default types that are missing (existing ones are left as edited)."""
    for order, (code, name, aliases) in enumerate(DEFAULT_FRAUD_TYPES, start=1):
        fraud_type_model.objects.get_or_create(code=code, defaults={"name": name, "aliases": aliases, "order": order})
