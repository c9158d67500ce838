"""Root-domain signup, and the handoff that signs the new owner in on their own host."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing.accounts import default_currency_for
from kefu.accounts.models import User
from kefu.core.ratelimit import client_ip, limit_hit, limit_left
from kefu.tenancy import tenant_base_url
from tenants.forms import SignupForm
from tenants.services import ProvisioningError, SlugUnavailableError, validate_slug
from tenants.signup import handoff_consume, workspace_signup


def _rate_limited_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["rate_limited"] = _(
        "Too many attempts from your network or for this email address. Please wait a while and "
        "try again."
    )
    return render(request, template, context, status=429)


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"plan": request.GET.get("plan", "")})
    if request.method != "POST":
        return render(request, "tenants/signup.html", {"form": form})

    # Every submission counts against the network; only workspaces really made count against
    # an address, so a few typos never lock a person out of their own signup.
    email = request.POST.get("email", "").strip().lower()
    email_limit = settings.KEFU_SIGNUP_LIMIT_PER_EMAIL
    if not limit_hit(
        scope="signup-ip", key=client_ip(request), limit=settings.KEFU_SIGNUP_LIMIT_PER_IP
    ) or (email and not limit_left(scope="signup-email", key=email, limit=email_limit)):
        return _rate_limited_page(request, "tenants/signup.html", {"form": form})

    if not form.is_valid():
        return render(request, "tenants/signup.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        result = workspace_signup(
            company_name=data["company_name"],
            slug=data["subdomain"],
            full_name=data["full_name"],
            email=data["email"],
            password=data["password"],
            plan=data["plan"],
            currency=default_currency_for(request.LANGUAGE_CODE),
        )
    except SlugUnavailableError as error:
        # Lost a race for the subdomain (or a double submit): one tenant, a clear message.
        form.add_error("subdomain", str(error))
        return render(request, "tenants/signup.html", {"form": form}, status=409)
    except ProvisioningError as error:
        form.add_error(None, str(error))
        return render(request, "tenants/signup.html", {"form": form}, status=503)
    limit_hit(scope="signup-email", key=email, limit=email_limit)
    port = request.get_port()
    base = tenant_base_url(
        result.tenant,
        scheme=request.scheme,
        port=int(port) if port and port not in {"80", "443"} else None,
    )
    return HttpResponseRedirect(f"{base}/handoff/{result.handoff_token}/")


@require_GET
@never_cache
def subdomain_check(request: HttpRequest) -> JsonResponse:
    """Live validation for the signup form: is this subdomain well-formed and free?"""
    if not limit_hit(
        scope="subdomain-check",
        key=client_ip(request),
        limit=settings.KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP,
    ):
        return JsonResponse(
            {"available": False, "message": _("Too many checks; slow down a little.")}, status=429
        )
    subdomain = request.GET.get("subdomain", "").strip().lower()
    try:
        validate_slug(subdomain)
    except SlugUnavailableError as error:
        return JsonResponse({"subdomain": subdomain, "available": False, "message": str(error)})
    return JsonResponse(
        {
            "subdomain": subdomain,
            "available": True,
            "message": _("%(host)s is available.")
            % {"host": f"{subdomain}.{settings.ROOT_DOMAIN}"},
        }
    )


@never_cache
def handoff(request: HttpRequest, token: str) -> HttpResponse:
    """Tenant host: trade a one-time signup token for a session on this host."""
    used = handoff_consume(tenant=request.tenant, token=token)
    user = User.objects.filter(pk=used.user_id, is_active=True).first() if used else None
    if user is None:
        return render(request, "tenants/handoff_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    _send_first_verification_email(request, user)
    return HttpResponseRedirect(used.next_path)


def _send_first_verification_email(request: HttpRequest, user: User) -> None:
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, primary=True, verified=False).first()
    if address is not None:
        address.send_confirmation(request, signup=True)
