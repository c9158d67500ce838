"""Contacts in the desk: the list, one contact's page with its timeline, edits, identities, and
merging (admins). Staff only; a contact of another workspace is simply not found."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.accounts.permissions import ADMIN_ROLES, admin_required, staff_required
from kefu.contacts.models import Contact, ContactIdentity, ContactMerge
from kefu.contacts.selectors import (
    access_contact,
    contact_find,
    contact_list,
    contact_merge_history,
)
from kefu.contacts.services import (
    EDITABLE_KINDS,
    ContactError,
    contact_identity_add,
    contact_surviving,
    contact_update,
    identity_remove,
)
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.tickets.contact_merge import contact_merge, contact_merge_check, contact_merge_undo
from kefu.tickets.timeline import contact_timeline

PAGE_SIZE = 50


class ContactForm(EmptyChoiceLabelMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("Not known")), *settings.LANGUAGES],
    )
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), choices=Contact.Tier.choices)


class IdentityForm(EmptyChoiceLabelMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(kind.value, kind.label) for kind in EDITABLE_KINDS],
    )
    value = forms.CharField(label=gettext_lazy("Address, number or id"), max_length=320)


def _is_admin(request: HttpRequest) -> bool:
    return request.user.role in ADMIN_ROLES


def _contact_url(contact: Contact) -> HttpResponse:
    return redirect("desk:contact_detail", contact_id=contact.pk)


@staff_required
def contact_list_view(request: HttpRequest) -> HttpResponse:
    query, tier = request.GET.get("q", "").strip(), request.GET.get("tier", "")
    page = Paginator(contact_list(query=query, tier=tier), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "desk/contacts/list.html",
        {"page": page, "query": query, "tier": tier, "tiers": Contact.Tier.choices},
    )


def _detail_context(request: HttpRequest, contact: Contact, **forms_: Any) -> dict[str, Any]:
    return {
        "contact": contact,
        "identities": list(contact.identities.order_by("kind", "pk")),
        "form": forms_.get("form")
        or ContactForm(
            initial={"name": contact.name, "language": contact.language, "tier": contact.tier}
        ),
        "identity_form": forms_.get("identity_form") or IdentityForm(),
        "timeline": contact_timeline(contact),
        "merges": list(contact_merge_history(contact)) if _is_admin(request) else [],
        "is_admin": _is_admin(request),
    }


@staff_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id)
    if contact.merged_into_id:
        surviving = contact_surviving(contact)
        messages.info(
            request,
            _("Contact %(old)d was merged into this contact.") % {"old": contact.pk},
        )
        return _contact_url(surviving)
    return render(request, "desk/contacts/detail.html", _detail_context(request, contact))


@staff_required
@require_POST
def contact_update_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact_update(contact=contact, actor=request.user, **form.cleaned_data)
        except ContactError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Contact saved."))
            return _contact_url(contact)
    context = _detail_context(request, contact, form=form)
    return render(request, "desk/contacts/detail.html", context, status=400)


@staff_required
@require_POST
def contact_identity_add_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            contact_identity_add(contact=contact, actor=request.user, **form.cleaned_data)
        except ContactError as error:
            form.add_error("value", str(error))
        else:
            messages.success(request, _("Identity added."))
            return _contact_url(contact)
    context = _detail_context(request, contact, identity_form=form)
    return render(request, "desk/contacts/detail.html", context, status=400)


@staff_required
@require_POST
def contact_identity_remove_view(
    request: HttpRequest, contact_id: int, identity_id: int
) -> HttpResponse:
    contact = access_contact(request.user, contact_id)
    identity = get_object_or_404(ContactIdentity, pk=identity_id, contact=contact)
    try:
        identity_remove(identity=identity, actor=request.user)
    except ContactError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Identity removed."))
    return _contact_url(contact)


@admin_required
@require_POST
def contact_merge_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Step one shows what would happen; step two (``confirm``) merges. The contact of this
    page is kept unless ``keep=other``."""
    contact = access_contact(request.user, contact_id)
    other = contact_find(request.POST.get("other", ""))
    if other is None:
        messages.error(request, _("No contact found with that id, email address or phone."))
        return _contact_url(contact)
    keep_other = request.POST.get("keep") == "other"
    source, target = (contact, other) if keep_other else (other, contact)
    try:
        contact_merge_check(source=source, target=target, actor=request.user)
    except ContactError as error:
        messages.error(request, str(error))
        return _contact_url(contact)
    if request.POST.get("confirm") != "1":
        context = {"contact": contact, "source": source, "target": target,
                   "other": request.POST.get("other", ""), "keep_other": keep_other,
                   "source_tickets": source.tickets.count(),
                   "source_identities": list(source.identities.all())}  # fmt: skip
        return render(request, "desk/contacts/merge_confirm.html", context)
    try:
        contact_merge(source=source, target=target, actor=request.user)
    except ContactError as error:
        messages.error(request, str(error))
        return _contact_url(contact)
    messages.success(
        request,
        _("%(source)s (contact %(id)d) was merged into this contact.")
        % {"source": source, "id": source.pk},
    )
    return _contact_url(target)


@admin_required
@require_POST
def contact_merge_undo_view(request: HttpRequest, contact_id: int, merge_id: int) -> HttpResponse:
    contact = access_contact(request.user, contact_id)
    merge = get_object_or_404(ContactMerge, pk=merge_id, target=contact)
    try:
        contact_merge_undo(merge=merge, actor=request.user)
    except ContactError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Merge undone: contact %(id)d is separate again.") % {"id": merge.source_id},
        )
    return _contact_url(contact)
