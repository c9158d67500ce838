"""The OpenAPI 3.1 description of ``/api/v1`` (search, articles, tickets), served at
``/api/v1/openapi.json``. Public: it describes the API and holds no data.

It says exactly what the views accept and answer (tests/security/test_api_schema.py holds them
to it with schemathesis): every bound the views check is here, and every status they send.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from kefu.api.articles import MAX_LIMIT as ARTICLES_MAX_LIMIT
from kefu.api.articles import MAX_SUMMARY, MAX_TITLE
from kefu.api.body import MAX_BYTES, MAX_DEPTH
from kefu.api.errors import api_view
from kefu.api.search import MAX_LIMIT as SEARCH_MAX_LIMIT
from kefu.core.parsing import BIGINT_MAX
from kefu.kb.models import Article, Language

TOKEN = [{"token": []}]
ID = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}
NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": BIGINT_MAX}
#: Text that is not only white space (what "required" means for a title or a subject). Written
#: out because a JSON Schema pattern's ``\S`` (ECMA-262) lets through the separators U+001C-U+001F
#: and U+0085 that the server's ``str.strip`` removes as white space.
SOME_TEXT = r"[^\s\u001c-\u001f\u0085]"
_ERROR_MEANINGS = {
    "400": "Invalid input (a message per field where one is at fault)",
    "401": "No or invalid token",
    "403": "Not allowed for this role",
    "404": "No such object in this workspace",
    "405": "Method not allowed (the Allow header lists the methods)",
    "413": "The body is too large",
    "429": "Too many requests",
}


def json_of(schema: dict, description: str = "OK") -> dict:
    """A request body or response whose content is JSON of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def integer(minimum: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def enum_of(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def errors(*codes: str) -> dict[str, Any]:
    """The error responses ``codes``, each in the API's one error shape."""
    return {code: json_of(ref("ApiError"), _ERROR_MEANINGS[code]) for code in codes}


def query(name: str, description: str, schema: dict, *, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "required": required,
        "schema": schema,
    }


def path_id(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": ID}]


def body(name: str, description: str) -> dict[str, Any]:
    return {"required": True, **json_of(ref(name), description)}


def _error_schema() -> dict[str, Any]:
    message = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {
                "type": "object",
                "description": "Messages per invalid field",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["code", "message", "fields"],
    }
    return {"type": "object", "properties": {"error": message}, "required": ["error"]}


def _article_schemas() -> dict[str, Any]:
    writable = {
        "kind": {"type": "string", "enum": list(Article.Kind.values)},
        "title": {"type": "string", "maxLength": MAX_TITLE, "pattern": SOME_TEXT},
        "summary": {"type": "string", "maxLength": MAX_SUMMARY},
        "body": {
            "type": "string",
            "pattern": SOME_TEXT,
            "description": "Markdown (or, for kind guided, a guided-answer outline)",
        },
        "language": {"type": "string", "enum": list(Language.values)},
        "status": {"type": "string", "enum": list(Article.Status.values)},
        "tags": {"type": "array", "items": {"type": "string"}},
        "category_id": NULLABLE_ID,
    }
    article = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **writable,
            "title": {"type": "string"},
            "body_html": {"type": "string"},
            "url": {"type": "string"},
            "views": {"type": "integer"},
            "helpful": {"type": "integer"},
            "unhelpful": {"type": "integer"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "kind", "title", "body", "language", "status", "url"],
    }
    new = {
        "type": "object",
        "properties": writable,
        "required": ["title", "body", "language"],
        "additionalProperties": False,
    }
    change = {"type": "object", "properties": writable, "additionalProperties": False}
    listing = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "results": {"type": "array", "items": ref("Article")},
        },
        "required": ["count", "limit", "offset", "results"],
    }
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "snippet": {"type": "string"},
            "url": {"type": "string"}, "score": {"type": "number"},
        },
    }  # fmt: skip
    return {
        "Article": article,
        "ArticleNew": new,
        "ArticleChange": change,
        "ArticleList": listing,
        "SearchHit": hit,
        "ApiError": _error_schema(),
    }


def _search_paths() -> dict[str, Any]:
    hits = {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "results": {"type": "array", "items": ref("SearchHit")},
        },
        "required": ["query", "results"],
    }
    words = "Words to look for (nothing to look for finds nothing)"
    return {
        "/api/v1/search": {
            "get": {
                "summary": "Search published articles",
                "parameters": [
                    query("q", words, {"type": "string"}, required=True),
                    query("limit", "Hits at most", integer(1, SEARCH_MAX_LIMIT)),
                ],
                "responses": {"200": json_of(hits), **errors("400", "429")},
            }
        }
    }


def _article_paths() -> dict[str, Any]:
    article = ref("Article")
    list_parameters = [
        query("status", "Only articles in this status", enum_of(Article.Status.values)),
        query("language", "Only articles in this language", enum_of(Language.values)),
        query("limit", "Articles at most", integer(1, ARTICLES_MAX_LIMIT)),
        query("offset", "Articles to skip", integer(0, BIGINT_MAX)),
    ]
    return {
        "/api/v1/articles": {
            "get": {
                "summary": "List articles, most recently changed first",
                "security": TOKEN,
                "parameters": list_parameters,
                "responses": {
                    "200": json_of(ref("ArticleList")),
                    **errors("400", "401", "403"),
                },
            },
            "post": {
                "summary": "Create an article",
                "security": TOKEN,
                "requestBody": body("ArticleNew", "The article"),
                "responses": {
                    "201": json_of(article, "Created"),
                    **errors("400", "401", "403", "413"),
                },
            },
        },
        "/api/v1/articles/{article_id}": {
            "parameters": path_id("article_id"),
            "get": {
                "summary": "Read an article",
                "security": TOKEN,
                "responses": {"200": json_of(article), **errors("401", "403", "404")},
            },
            "patch": {
                "summary": "Update an article",
                "security": TOKEN,
                "requestBody": body("ArticleChange", "The fields to change"),
                "responses": {
                    "200": json_of(article),
                    **errors("400", "401", "403", "404", "413"),
                },
            },
            "delete": {
                "summary": "Delete an article",
                "security": TOKEN,
                "responses": {"204": {"description": "Deleted"}, **errors("401", "403", "404")},
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    from kefu.api.tickets.schema import ticket_paths, ticket_schemas

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kefu API",
            "version": "1",
            "description": (
                "The knowledge base and tickets of one workspace, on that workspace's host. "
                "Authenticate with a staff API token (desk → API tokens): "
                "`Authorization: Bearer kefu_...` (search and this document need none). Every "
                'error, on every endpoint, is `{"error": {"code", "message", "fields"}}`; '
                "a method an endpoint does not offer gets 405 with `Allow`. Text cannot "
                "contain NUL (U+0000) or unpaired surrogates; a JSON body is at most "
                f"{MAX_BYTES} bytes and nests at most {MAX_DEPTH} levels deep."
            ),
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff member's API token; calls act with their role.",
                }
            },
            "schemas": {**_article_schemas(), **ticket_schemas()},
        },
        "paths": {**_search_paths(), **_article_paths(), **ticket_paths()},
    }


@api_view("GET")
def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of this API (public: it holds no data)."""
    return JsonResponse(openapi_document())
