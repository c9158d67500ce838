"""Tenant-host account pages that allauth does not provide (accepting an invitation) or that
Kefu narrows (email confirmation: only keys this workspace signed)."""

from __future__ import annotations

from allauth.account.views import ConfirmEmailView, EmailView
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.accounts.forms import InvitationAcceptForm
from kefu.accounts.services import (
    AccountError,
    invitation_accept,
    invitation_get_by_token,
    split_full_name,
)
from kefu.accounts.tokens import WorkspaceEmailConfirmation


@never_cache
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        first_name, last_name = split_full_name(form.cleaned_data["full_name"])
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=first_name,
                last_name=last_name,
                language=request.LANGUAGE_CODE,
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("/desk/" if user.is_desk_user else "/")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


class WorkspaceConfirmEmailView(ConfirmEmailView):
    """allauth's confirmation page, reading only keys signed in this workspace."""

    def get_object(self, queryset: object = None) -> WorkspaceEmailConfirmation:
        confirmation = WorkspaceEmailConfirmation.from_key(self.kwargs["key"])
        if confirmation is None:
            raise Http404
        return confirmation


confirm_email = WorkspaceConfirmEmailView.as_view()


class WorkspaceEmailView(EmailView):
    """allauth's address page, where only a verified address can become the main one: the
    main address is the account's unique email, so an unverified one (perhaps somebody
    else's) must never take that place."""

    def _action_primary(self, request: HttpRequest, *args: object, **kwargs: object):
        address = self._get_email_address(request)
        if address is not None and not address.verified:
            messages.error(
                request,
                _("Verify this address first: only a verified address can be your main one."),
            )
            return redirect("account_email")
        return super()._action_primary(request, *args, **kwargs)


email_manage = WorkspaceEmailView.as_view()
