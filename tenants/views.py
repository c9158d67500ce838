"""Root-domain signup, and the handoff that signs the new owner in on their own host."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing.accounts import default_currency_for, signup_trial_plan
from billing.selectors import plan_offers_list
from kefu.accounts.models import User
from kefu.core.ratelimit import client_ip, limit_hit, limit_left
from kefu.tenancy import tenant_base_url
from tenants.find_workspace import workspace_for_slug, workspace_login_url
from tenants.forms import FindWorkspaceForm, SignupForm, WorkspaceSigninForm
from tenants.jobs import workspace_list_mail_job
from tenants.services import ProvisioningError, SlugUnavailableError, validate_slug
from tenants.signup import handoff_consume, workspace_signup


def _signup_page(request: HttpRequest, form: SignupForm, status: int = 200) -> HttpResponse:
    chosen = form.plan_chosen
    context = {
        "form": form,
        # What the page promises is what signup gives: the chosen plan, else the trial plan.
        "trial_plan": chosen if chosen is not None else signup_trial_plan(),
    }
    if status == 429:
        context["rate_limited"] = _(
            "Too many attempts from your network or for this email address. Please wait a "
            "while and try again."
        )
    return render(request, "tenants/signup.html", context, status=status)


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"plan": request.GET.get("plan", "")})
    if request.method != "POST":
        return _signup_page(request, form)

    # Every submission counts against the network; only workspaces really made count against
    # an address, so a few typos never lock a person out of their own signup.
    email = request.POST.get("email", "").strip().lower()
    email_limit = settings.KEFU_SIGNUP_LIMIT_PER_EMAIL
    if not limit_hit(
        scope="signup-ip", key=client_ip(request), limit=settings.KEFU_SIGNUP_LIMIT_PER_IP
    ) or (email and not limit_left(scope="signup-email", key=email, limit=email_limit)):
        return _signup_page(request, form, status=429)

    if not form.is_valid():
        return _signup_page(request, form, status=400)
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
            language=request.LANGUAGE_CODE,
        )
    except SlugUnavailableError as error:
        # Lost a race for the subdomain (or a double submit): one tenant, a clear message.
        form.add_error("subdomain", str(error))
        return _signup_page(request, form, status=409)
    except ProvisioningError as error:
        form.add_error(None, str(error))
        return _signup_page(request, form, status=503)
    limit_hit(scope="signup-email", key=email, limit=email_limit)
    base = tenant_base_url(result.tenant, scheme=request.scheme, port=_request_port(request))
    return HttpResponseRedirect(f"{base}/handoff/{result.handoff_token}/")


def _request_port(request: HttpRequest) -> int | None:
    port = request.get_port()
    return int(port) if port and port not in {"80", "443"} else None


@never_cache
def workspace_signin(request: HttpRequest) -> HttpResponse:
    """Root-domain sign-in: the workspace's subdomain, then its own sign-in page (people live
    in their workspace, so the root domain cannot sign anybody in itself)."""
    form = WorkspaceSigninForm(request.POST or None)
    form.fields["subdomain"].help_text = form.fields["subdomain"].help_text % {
        "root": settings.ROOT_DOMAIN
    }
    if request.method == "POST":
        if not limit_hit(
            scope="workspace-signin",
            key=client_ip(request),
            limit=settings.KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP,
        ):
            form.add_error(None, _("Too many attempts; wait a minute and try again."))
            return render(request, "tenants/signin.html", {"form": form}, status=429)
        if form.is_valid():
            tenant = workspace_for_slug(form.cleaned_data["subdomain"])
            if tenant is not None:
                url = workspace_login_url(
                    tenant, scheme=request.scheme, port=_request_port(request)
                )
                return HttpResponseRedirect(url)
            form.add_error(
                "subdomain",
                _("No workspace answers at %(host)s. Check the spelling, or find it by email.")
                % {"host": f"{form.cleaned_data['subdomain']}.{settings.ROOT_DOMAIN}"},
            )
        return render(request, "tenants/signin.html", {"form": form}, status=400)
    return render(request, "tenants/signin.html", {"form": form})


@never_cache
def find_workspace(request: HttpRequest) -> HttpResponse:
    """Mail me my workspaces. The page answers the same whatever the address: whether it has
    workspaces is only ever told to its own mailbox."""
    form = FindWorkspaceForm(request.POST or None)
    if request.method != "POST":
        return render(request, "tenants/find_workspace.html", {"form": form})
    if not limit_hit(
        scope="find-workspace-ip",
        key=client_ip(request),
        limit=settings.KEFU_FIND_WORKSPACE_LIMIT_PER_IP,
    ):
        form.add_error(None, _("Too many requests from your network; try again later."))
        return render(request, "tenants/find_workspace.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "tenants/find_workspace.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    # Over the address's limit nothing is sent, and the page says exactly what it always says.
    if limit_hit(
        scope="find-workspace-email", key=email, limit=settings.KEFU_FIND_WORKSPACE_LIMIT_PER_EMAIL
    ):
        workspace_list_mail_job.send(email, request.LANGUAGE_CODE)
    return render(request, "tenants/find_workspace.html", {"form": None, "sent_to": email})


def pricing(request: HttpRequest) -> HttpResponse:
    """The plans on offer, from the Plan rows, priced in the visitor's currency."""
    currency = default_currency_for(request.LANGUAGE_CODE)
    return render(
        request,
        "tenants/pricing.html",
        {"offers": plan_offers_list(currency=currency, current=None), "trial": signup_trial_plan()},
    )


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
