"""The error answers every ``/api/v1/`` operation can give, written into the OpenAPI schema.

drf-spectacular documents what a view returns when all goes well; the refusals come from
layers it does not see (authentication, permissions, the scoped lookup, pagination, the
serializers and ``orgs.api_errors``). Without them a client, or a schema-driven test,
cannot tell a documented 404 from a surprise. This postprocessing hook adds them, each
only where it can happen, and never replaces an answer a view documents itself (stats'
400 with its ``field``, a download's 409…), only gives it its body when it names none:

- 400 — a write (its body fails validation, or a service's ``DomainError``), or a read
  with query parameters besides ``page`` (a filter's value is refused);
- 401 / 403 — not signed in (with session authentication first, DRF answers 403), or
  the role lacks the permission;
- 404 — a record in the path that does not exist or is outside the caller's subtree, or
  a ``page`` past the last one.

Registered in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
"""

from __future__ import annotations

WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get"}

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "中文说明"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "description": "字段名 → 错误信息列表（嵌套字段为对象）；业务规则拒绝时为 detail 与 field。",
    "properties": {
        "detail": {"type": "string", "description": "业务规则拒绝时的中文说明"},
        "field": {"type": "string", "nullable": True, "description": "规则涉及的字段；涉及整条记录时为 null"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
}
COMPONENTS = {"ErrorDetail": DETAIL, "ErrorInvalid": INVALID}


def _answer(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_of(method: str, operation: dict) -> dict[str, dict]:
    parameters = operation.get("parameters", [])
    query = {p["name"] for p in parameters if p.get("in") == "query"}
    in_path = any(p.get("in") == "path" for p in parameters)
    errors = {}
    if method in WRITES or query - {"page"}:
        errors["400"] = _answer("请求有误：字段校验未通过，或业务规则拒绝", "ErrorInvalid")
    if operation.get("security"):
        errors["401"] = _answer("未登录", "ErrorDetail")
        errors["403"] = _answer("未登录，或本角色无权执行该操作", "ErrorDetail")
    if in_path or "page" in query:
        errors["404"] = _answer("记录不存在或不在本单位辖区内；或页码超出范围", "ErrorDetail")
    return errors


def document_error_answers(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: add the error answers to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, answer in _errors_of(method, operation).items():
                documented = responses.setdefault(code, answer)
                # A view that names the answer without its body (``OpenApiResponse(description=…)``) gets it.
                documented.setdefault("content", answer["content"])
    return result
