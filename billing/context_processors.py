"""The billing banner in the desk (grace period, read-only), computed only when a template
asks for it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.access import FULL, AccessState, workspace_access_state


def billing_banner(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return {}

    def banner() -> AccessState | None:
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_desk_user", False):
            return None
        state = workspace_access_state(tenant)
        return None if state.access == FULL and not state.reason else state

    # A callable: the template calls it (once, in a {% with %}) on desk pages only.
    return {"billing_banner": banner}
