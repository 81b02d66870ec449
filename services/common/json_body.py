"""Reading a JSON request body into a model: size, content type and every bad field refused precisely."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


class RequestRefused(Exception):
    """A request a service will not accept, with the status and body to answer."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


async def answer_refusal(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestRefused)  # nosec B101 # type narrowing for mypy
    return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)


async def answer_invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for path, query and header parameters, without the `input` it would otherwise echo."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(
        {"detail": [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]}, status_code=422
    )


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Each bad field by its path, with the rule it broke; the submitted value is never echoed."""
    return [
        {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


async def read_json_model(request: Request, model: type[ModelT], max_bytes: int) -> ModelT:
    """415 unless JSON, 413 over max_bytes (declared or streamed), 422 naming each bad field."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RequestRefused(415, "send the body as application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestRefused(413, f"the body is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise RequestRefused(413, f"the body is larger than {max_bytes} bytes")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = getattr(exc, "pos", getattr(exc, "start", 0))
        raise RequestRefused(
            422, [{"loc": ["body"], "msg": f"malformed JSON at byte {position}", "type": "json_invalid"}]
        ) from None
    except RecursionError:  # e.g. 60,000 '[': the parser gives up on the depth, the request is refused
        raise RequestRefused(
            422, [{"loc": ["body"], "msg": "JSON nested too deeply", "type": "json_invalid"}]
        ) from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise RequestRefused(422, field_errors(exc)) from None
