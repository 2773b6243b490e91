"""The API's OpenAPI 3.1 description, served at /openapi.json (tests hold it to the routes)."""

from __future__ import annotations

from digitcli.serve.uploads import MAX_BODY_BYTES, MAX_IMAGES

_ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}
_TOP = {
    "type": "array",
    "items": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "number"}]},
}
_MODEL = {
    "type": "object",
    "description": (
        "The model that answered (not on an error result), as in `digitcli models`, without"
        " its path on the server."
    ),
    "properties": {
        "name": {"type": "string", "description": "'bundled', or the model's folder or file name"},
        "bundled": {"type": "boolean"},
    },
}
_PREDICTION = {
    "type": "object",
    "description": "One image's answer, exactly as `digitcli predict --format json` gives it.",
    "required": ["file"],
    "properties": {
        "file": {"type": "string"},
        "digit": {"type": ["integer", "null"], "minimum": 0, "maximum": 9},
        "confidence": {"type": ["number", "null"]},
        "top": _TOP,
        "note": {"type": "string"},
        "error": {"type": "string"},
        "model": _MODEL,
        "preview": {"type": "string", "description": "with ?preview=1: the 28x28 PNG seen"},
    },
}
_READ_DIGIT = {
    "type": "object",
    "properties": {
        "digit": {"type": "integer"},
        "confidence": {"type": "number"},
        "box": {"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 4},
        "preview": {"type": "string"},
    },
}
_READING = {
    "type": "object",
    "description": "One image's number, exactly as `digitcli read --format json` gives it.",
    "required": ["file"],
    "properties": {
        "file": {"type": "string"},
        "number": {"type": ["string", "null"]},
        "text": {
            "type": ["string", "null"],
            "description": "What was written, marks included (18.056); null where number is.",
        },
        "confidence": {"type": ["number", "null"]},
        "digits": {"type": "array", "items": _READ_DIGIT},
        "note": {"type": "string"},
        "error": {"type": "string"},
        "model": _MODEL,
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_INVERT = _query(
    "invert",
    {"enum": ["auto", "yes", "no"], "default": "auto"},
    "Polarity: auto detects dark ink on light paper.",
)
_THRESHOLD = _query(
    "threshold",
    {"type": "number", "minimum": 0, "maximum": 1},
    "Below this confidence, answer no digit and say why. Written like 0.9.",
)
_PREVIEW = _query(
    "preview",
    {"type": "boolean", "default": False},
    "Add each 28x28 image the model saw, as a PNG data URL.",
)
_NAME = _query("name", {"type": "string"}, "The `file` of a raw-body image (default: upload).")

_IMAGES_BODY = {
    "required": True,
    "description": f"Up to {MAX_IMAGES} images, {MAX_BODY_BYTES // 2**20} MB in all.",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        },
        "image/*": {"schema": {"type": "string", "format": "binary"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}


def _errors(*statuses: int) -> dict:
    meaning = {
        400: "a bad parameter, an empty or malformed body",
        401: "a token is needed, or it is wrong",
        413: f"body over {MAX_BODY_BYTES // 2**20} MB or more than {MAX_IMAGES} images",
        415: "a content type that carries no image",
        422: "no image of the request could be read (each result says why)",
        503: "the request took too long, or the server has too many connections",
    }
    json_error = {"application/json": {"schema": _ERROR}}
    return {str(s): {"description": meaning[s], "content": json_error} for s in statuses}


def _images_operation(summary: str, result: dict, parameters: list[dict]) -> dict:
    answer = {
        "type": "object",
        "properties": {"model": {"type": "string"}, "results": {"type": "array", "items": result}},
    }
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": parameters,
            "requestBody": _IMAGES_BODY,
            "responses": {
                "200": {
                    "description": "every image answered, each with its result or error",
                    "content": {"application/json": {"schema": answer}},
                },
                **_errors(400, 401, 413, 415, 422, 503),
            },
        }
    }


def openapi_spec(version: str) -> dict:
    top_k = _query(
        "top_k",
        {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        "How many likeliest digits to give.",
    )
    digits = _query(
        "digits",
        {"type": "string", "pattern": "^[0-9]+(-[0-9]+)?$"},
        "How many digits the number has: N or MIN-MAX; other counts get no number.",
    )
    plain = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "digitcli serve",
            "version": version,
            "description": "Handwritten digits and numbers, read by a digitcli model.",
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/v1/predict": _images_operation(
                "Which digit each image shows",
                _PREDICTION,
                [top_k, _THRESHOLD, _INVERT, _PREVIEW, _NAME],
            ),
            "/v1/read": _images_operation(
                "The number each image shows",
                _READING,
                [_THRESHOLD, digits, _INVERT, _PREVIEW, _NAME],
            ),
            "/v1/model": {
                "get": {
                    "summary": "The model's metadata",
                    "security": [{"bearer": []}],
                    "responses": {"200": plain, **_errors(401)},
                }
            },
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": plain}}},
            "/openapi.json": {"get": {"summary": "This description", "responses": {"200": plain}}},
            "/": {
                "get": {
                    "summary": "The drawing page",
                    "responses": {"200": {"description": "HTML"}},
                }
            },
        },
    }
