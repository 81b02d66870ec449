"""OpenAPI declarations for routes that read their JSON body themselves, and for the refusals they answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

FIELD_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["loc", "msg"],
    "properties": {
        "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        "msg": {"type": "string"},
        "type": {"type": "string"},
    },
}
REFUSAL: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": FIELD_ERROR}]}},
}
REFUSAL_DESCRIPTIONS = {
    400: "Bad request (a header or cursor that cannot be used)",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "No such submission",
    409: "A conflict: an Idempotency-Key reused with another body, or the submission changed meanwhile",
    413: "The body is larger than allowed",
    415: "The body is not application/json",
    422: "The body or a parameter is invalid: each bad field by its loc, never its value",
    503: "The service is temporarily unavailable (see Retry-After)",
}


def inlined_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every `$defs` reference replaced by its definition (none are recursive)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return dict(inline(schema))


def json_body(model: type[BaseModel], *, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`openapi_extra` for a route whose handler reads `model` from a raw application/json body."""
    extra: dict[str, Any] = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": inlined_schema(model)}}}
    }
    if parameters:
        extra["parameters"] = parameters
    return extra


def json_answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses` entries for the refusals a route answers, each with the {"detail": ...} body."""
    return {status: json_answer(REFUSAL, REFUSAL_DESCRIPTIONS[status]) for status in statuses}
