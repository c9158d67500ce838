from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from kefu.core.colors import brand_palette
from kefu.tenancy import public_reverse


def kefu(request: HttpRequest) -> dict[str, object]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == "public"
    brand = None
    if not is_public:
        from kefu.desk.selectors import workspace_settings_get

        brand = workspace_settings_get()
    return {
        "kefu_tenant": None if is_public else tenant,
        "kefu_brand": brand,
        "kefu_brand_palette": brand_palette(brand.brand_color) if brand else None,
        "kefu_root_domain": settings.ROOT_DOMAIN,
        # Root-domain links, right whichever URLconf this request (or error page) uses.
        "kefu_signup_url": public_reverse("signup"),
        "kefu_signin_url": public_reverse("workspace_signin"),
        "kefu_pricing_url": public_reverse("pricing"),
        "kefu_operator_url": public_reverse("operator:tenant_list"),
        "kefu_support_email": settings.KEFU_SUPPORT_EMAIL,
    }
