"""The OpenAPI 3.1 description of ``/api/v1`` (search, articles, tickets), served at
``/api/v1/openapi.json``. Public: it describes the API and holds no data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from kefu.kb.models import Article, Language

TOKEN = [{"token": []}]


def json_of(schema: dict, description: str = "OK") -> dict:
    """A request body or response whose content is JSON of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _article_schemas() -> dict[str, Any]:
    article = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "kind": {"type": "string", "enum": list(Article.Kind.values)},
            "title": {"type": "string", "maxLength": 300},
            "summary": {"type": "string"},
            "body": {"type": "string", "description": "Markdown (or a guided-answer outline)"},
            "body_html": {"type": "string", "readOnly": True},
            "language": {"type": "string", "enum": list(Language.values)},
            "status": {"type": "string", "enum": list(Article.Status.values)},
            "tags": {"type": "array", "items": {"type": "string"}},
            "category_id": {"type": ["integer", "null"]},
            "url": {"type": "string", "readOnly": True},
        },
        "required": ["title", "body", "language"],
    }
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "snippet": {"type": "string"},
            "url": {"type": "string"}, "score": {"type": "number"},
        },
    }  # fmt: skip
    error = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    }
    return {"Article": article, "SearchHit": hit, "Error": error}


def _search_paths() -> dict[str, Any]:
    hits = {
        "type": "object",
        "properties": {"results": {"type": "array", "items": ref("SearchHit")}},
    }
    return {
        "/api/v1/search": {
            "get": {
                "summary": "Search published articles",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                ],
                "responses": {
                    "200": json_of(hits),
                    "429": json_of(ref("Error"), "Too many searches"),
                },
            }
        }
    }


def _article_paths() -> dict[str, Any]:
    item_params = [
        {"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    article = ref("Article")
    return {
        "/api/v1/articles": {
            "get": {
                "summary": "List articles",
                "security": TOKEN,
                "responses": {
                    "200": json_of({"type": "object"}),
                    "401": json_of(ref("Error"), "No or invalid token"),
                },
            },
            "post": {
                "summary": "Create an article",
                "security": TOKEN,
                "requestBody": json_of(article, "The article"),
                "responses": {
                    "201": json_of(article, "Created"),
                    "400": json_of(ref("Error"), "Invalid input"),
                },
            },
        },
        "/api/v1/articles/{article_id}": {
            "parameters": item_params,
            "get": {
                "summary": "Read an article",
                "security": TOKEN,
                "responses": {"200": json_of(article)},
            },
            "patch": {
                "summary": "Update an article",
                "security": TOKEN,
                "requestBody": json_of(article, "The fields to change"),
                "responses": {"200": json_of(article)},
            },
            "delete": {
                "summary": "Delete an article",
                "security": TOKEN,
                "responses": {"204": {"description": "Deleted"}},
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
                "`Authorization: Bearer kefu_...`."
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


def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of this API (public: it holds no data)."""
    return JsonResponse(openapi_document())
