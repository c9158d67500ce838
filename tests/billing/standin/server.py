"""The stand-in's HTTP server and catalogue: products (create, retrieve, update, list), prices
(create, retrieve, update, list with ``lookup_keys``), billing meters (create, list). Objects
follow Stripe's documented shapes and live in memory; request bodies are form-encoded as Stripe
reads them (``metadata[k]=v``, ``lookup_keys[0]=x``). Every request is recorded as (method, path).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_KEY = re.compile(r"\[([^\]]*)\]")


def form_decode(body: str) -> dict[str, Any]:
    """``a[b][0]=x&c[]=y`` -> ``{"a": {"b": ["x"]}, "c": ["y"]}``, as Stripe parses forms."""
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head = raw_key.split("[", 1)[0]
        parts = [head, *_KEY.findall(raw_key[len(head) :])]
        node: Any = root
        for part, following in itertools.pairwise(parts):
            if following == "":
                node = node.setdefault(part, [])
                break
            node = node.setdefault(part, {})
        if parts[-1] == "" and isinstance(node, list):
            node.append(value)
        else:
            node[parts[-1]] = value
    return _lists(root)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        value = {key: _lists(item) for key, item in value.items()}
        if value and all(key.isdigit() for key in value):
            return [value[key] for key in sorted(value, key=int)]
    elif isinstance(value, list):
        return [_lists(item) for item in value]
    return value


def _bool(value: Any, default: bool) -> bool:
    return default if value is None else str(value).lower() == "true"


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "",
        param: str = "",
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.param, self.kind = status, code, param, kind

    def body(self) -> dict[str, Any]:
        error = {"type": self.kind, "message": str(self)}
        if self.code:
            error["code"] = self.code
        return {"error": {**error, "param": self.param}}


class CatalogueStandin:
    """In-memory Stripe: ``objects[kind][id]``; ``requests`` lists every (method, path).

    ``down = True`` answers every API call with a 500, like an outage."""

    KINDS = ("products", "prices", "meters")
    SINGULAR = {"products": "product", "prices": "price", "meters": "meter"}

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in self.KINDS}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.server: ThreadingHTTPServer | None = None
        self.down = False

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CatalogueStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def do_DELETE(self) -> None:
                standin._handle(self, "DELETE")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def posts_to(self, path: str) -> int:
        """How many POSTs went to exactly ``path`` (the create endpoints: no id in the path)."""
        return sum(1 for method, seen in self.requests if method == "POST" and seen == path)

    # -- dispatch --------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        params = form_decode(body if method == "POST" else url.query)
        page: str | None = None
        payload: dict[str, Any] = {}
        with self.lock:
            self.requests.append((method, url.path))
            try:
                if not url.path.startswith("/v1/"):
                    status, page = 200, self._page(url.path)
                elif self.down:
                    raise StripeError(500, "The stand-in is down.", kind="api_error")
                else:
                    status, payload = 200, self._route(method, url.path, params)
            except StripeError as error:
                status, payload = error.status, error.body()
        data = page.encode() if page is not None else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header(
            "Content-Type", "text/html; charset=utf-8" if page is not None else "application/json"
        )
        request.send_header("Content-Length", str(len(data)))
        request.send_header("Request-Id", f"req_standin{next(self._ids)}")
        request.end_headers()
        request.wfile.write(data)

    def _page(self, path: str) -> str:
        """Hosted pages (Checkout, the customer portal) have no API shape; see subclasses."""
        raise StripeError(404, f"No page at {path}.")

    def _routes(self, path: str) -> dict[tuple[str, str], Any]:
        return {
            ("POST", r"/v1/products"): self._product_create,
            ("GET", r"/v1/products"): lambda p: self._list("products", path, p),
            ("GET", r"/v1/products/(?P<id>[^/]+)"): lambda p, id: self._get("products", id),
            ("POST", r"/v1/products/(?P<id>[^/]+)"): self._product_update,
            ("POST", r"/v1/prices"): self._price_create,
            ("GET", r"/v1/prices"): self._price_list,
            ("GET", r"/v1/prices/(?P<id>[^/]+)"): lambda p, id: self._get("prices", id),
            ("POST", r"/v1/prices/(?P<id>[^/]+)"): self._price_update,
            ("POST", r"/v1/billing/meters"): self._meter_create,
            ("GET", r"/v1/billing/meters"): lambda p: self._list("meters", path, p),
        }

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        for (verb, pattern), handler in self._routes(path).items():
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(params, **match.groupdict())
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    # -- helpers ---------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_standin{next(self._ids):08d}"

    def _get(self, kind: str, object_id: str) -> dict[str, Any]:
        if object_id not in self.objects[kind]:
            singular = self.SINGULAR[kind]
            raise StripeError(
                404, f"No such {singular}: '{object_id}'", code="resource_missing", param="id"
            )
        return self.objects[kind][object_id]

    def _list(
        self, kind: str, path: str, params: dict[str, Any], items: list | None = None
    ) -> dict[str, Any]:
        items = list(self.objects[kind].values()) if items is None else items
        items.reverse()  # stored in creation order; Stripe lists newest first
        if params.get("starting_after"):
            ids = [item["id"] for item in items]
            items = items[ids.index(params["starting_after"]) + 1 :]
        limit = _int(params.get("limit")) or 10
        more = len(items) > limit
        return {"object": "list", "data": items[:limit], "has_more": more, "url": path}

    def _base(self, prefix: str, object_name: str, object_id: str | None = None) -> dict[str, Any]:
        return {
            "id": object_id or self._new_id(prefix),
            "object": object_name,
            "livemode": False,
            "created": int(time.time()),
        }

    # -- products --------------------------------------------------------------------------
    def _product_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("name"):
            raise StripeError(400, "Missing required param: name.", param="name")
        if params.get("id") in self.objects["products"]:
            raise StripeError(
                400, "Product already exists.", code="resource_already_exists", param="id"
            )
        product = {
            **self._base("prod", "product", params.get("id")),
            "active": _bool(params.get("active"), True),
            "default_price": None,
            "description": params.get("description"),
            "images": [],
            "marketing_features": [],
            "metadata": params.get("metadata", {}),
            "name": params["name"],
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": None,
            "type": "service",
            "unit_label": None,
            "url": None,
        }
        product["updated"] = product["created"]
        self.objects["products"][product["id"]] = product
        return product

    def _product_update(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        product = self._get("products", id)
        if "name" in params:
            product["name"] = params["name"]
        if "active" in params:
            product["active"] = _bool(params["active"], True)
        product["metadata"].update(params.get("metadata", {}))
        product["updated"] = int(time.time())
        return product

    # -- prices ----------------------------------------------------------------------------
    def _price_create(self, params: dict[str, Any]) -> dict[str, Any]:
        for name in ("currency", "product"):
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name)
        self._get("products", params["product"])
        lookup_key = params.get("lookup_key")
        holders = [p for p in self.objects["prices"].values() if p["lookup_key"] == lookup_key]
        if lookup_key and holders:
            if not _bool(params.get("transfer_lookup_key"), False):
                raise StripeError(
                    400,
                    f"A price (`{holders[0]['id']}`) already uses that lookup key.",
                    param="lookup_key",
                )
            for holder in holders:
                holder["lookup_key"] = None
        recurring = params.get("recurring")
        if recurring:
            recurring = {
                "interval": recurring["interval"],
                "interval_count": _int(recurring.get("interval_count")) or 1,
                "meter": recurring.get("meter"),
                "trial_period_days": None,
                "usage_type": recurring.get("usage_type", "licensed"),
            }
            if recurring["meter"]:
                self._get("meters", recurring["meter"])
        decimal = params.get("unit_amount_decimal") or params.get("unit_amount")
        price = {
            **self._base("price", "price"),
            "active": _bool(params.get("active"), True),
            "billing_scheme": params.get("billing_scheme", "per_unit"),
            "currency": params["currency"],
            "custom_unit_amount": None,
            "lookup_key": lookup_key,
            "metadata": params.get("metadata", {}),
            "nickname": params.get("nickname"),
            "product": params["product"],
            "recurring": recurring,
            "tax_behavior": "unspecified",
            "tiers_mode": params.get("tiers_mode"),
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": int(float(decimal)) if decimal and float(decimal).is_integer() else None,
            "unit_amount_decimal": decimal,
            "_tiers": params.get("tiers"),
        }
        self.objects["prices"][price["id"]] = price
        return self._price_out(price, params)

    def _price_out(self, price: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """``tiers`` only when expanded, as Stripe does."""
        out = {key: value for key, value in price.items() if key != "_tiers"}
        if {"tiers", "data.tiers"} & set(params.get("expand", [])):
            out["tiers"] = price["_tiers"]
        return out

    def _price_list(self, params: dict[str, Any]) -> dict[str, Any]:
        items = list(self.objects["prices"].values())
        if "lookup_keys" in params:
            items = [p for p in items if p["lookup_key"] in params["lookup_keys"]]
        if "active" in params:
            items = [p for p in items if p["active"] == _bool(params["active"], True)]
        if "product" in params:
            items = [p for p in items if p["product"] == params["product"]]
        listing = self._list("prices", "/v1/prices", params, items)
        listing["data"] = [self._price_out(price, params) for price in listing["data"]]
        return listing

    def _price_update(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        price = self._get("prices", id)
        if "active" in params:
            price["active"] = _bool(params["active"], True)
        price["metadata"].update(params.get("metadata", {}))
        return self._price_out(price, params)

    # -- billing meters --------------------------------------------------------------------
    def _meter_create(self, params: dict[str, Any]) -> dict[str, Any]:
        for name in ("display_name", "event_name", "default_aggregation"):
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name)
        meter = {
            **self._base("mtr", "billing.meter"),
            "customer_mapping": params.get(
                "customer_mapping", {"event_payload_key": "stripe_customer_id", "type": "by_id"}
            ),
            "default_aggregation": params["default_aggregation"],
            "display_name": params["display_name"],
            "event_name": params["event_name"],
            "event_time_window": params.get("event_time_window"),
            "status": "active",
            "status_transitions": {"deactivated_at": None},
            "value_settings": params.get("value_settings", {"event_payload_key": "value"}),
        }
        meter["updated"] = meter["created"]
        self.objects["meters"][meter["id"]] = meter
        return meter
