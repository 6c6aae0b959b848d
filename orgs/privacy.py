"""Masking personal data (names, phones, ID numbers) wherever it is shown by default:
pages, the API, import reports. One implementation, so every place masks alike."""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: only the first character stays."""
    name = (name or "").strip()
    return name[0] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000 (always four stars: a mask does not tell the length)."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def mask_id_number(id_no: str) -> str:
    """11010519491231002X → 1101**********002X: the first and last four stay."""
    id_no = (id_no or "").strip()
    if not id_no:
        return ""
    return f"{id_no[:4]}{'*' * (len(id_no) - 8)}{id_no[-4:]}" if len(id_no) > 8 else "*" * len(id_no)
