"""The desk's contact pages: list and search, edits, identities, merge with confirmation and undo,
and who may open them."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity, ContactMerge
from kefu.contacts.services import contact_for_email, identity_add
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.contacts.conftest import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant_a, open_ticket):
    with tenant_context(tenant_a):
        mei = contact_for_email(email="mei@example.com", name="Mei Chen")
        identity_add(contact=mei, kind=ContactIdentity.Kind.PHONE, value="+86 138 0000 3333")
        kai = contact_for_email(email="kai@example.com", name="Kai")
        kai.tier = Contact.Tier.PREMIUM
        kai.save()
    open_ticket(tenant_a, mei, "First question")
    open_ticket(tenant_a, mei, "Second question", channel="email")
    return {"mei": mei, "kai": kai}


def test_list_searches_by_name_email_and_phone_filters_by_tier_and_counts_tickets(
    tenant_a, agent, people
):
    desk = browser_for(tenant_a, agent)
    page = desk.get("/desk/contacts/").content.decode()
    assert 'href="/desk/contacts/"' in page
    assert ">Contacts</a>" in page
    assert "Mei Chen" in page
    assert "Kai" in page
    assert "<td>2</td>" in page  # Mei's tickets
    for query in ("chen", "MEI@example", "13800003333", "0000 3333"):
        found = desk.get("/desk/contacts/", {"q": query}).content.decode()
        assert "Mei Chen" in found, query
        assert ">Kai<" not in found, query
    premium = desk.get("/desk/contacts/", {"tier": "premium"}).content.decode()
    assert ">Kai<" in premium
    assert "Mei Chen" not in premium
    assert "No contact matches." in desk.get("/desk/contacts/", {"q": "nobody"}).content.decode()


def test_agents_edit_details_and_identities_but_cannot_merge(tenant_a, agent, people):
    mei, kai = people["mei"], people["kai"]
    desk = browser_for(tenant_a, agent)
    url = f"/desk/contacts/{mei.pk}/"
    page = desk.get(url).content.decode()
    assert "contact-merge-form" not in page  # admins only
    response = desk.post(f"{url}edit/", {"name": "Mei C.", "language": "zh-hans",
                                         "tier": "enterprise"}, follow=True)  # fmt: skip
    assert "Contact saved." in response.content.decode()
    response = desk.post(f"{url}identities/", {"kind": "email", "value": "Mei@Home.example"},
                         follow=True)  # fmt: skip
    assert "mei@home.example" in response.content.decode()
    clash = desk.post(f"{url}identities/", {"kind": "email", "value": "kai@example.com"})
    assert clash.status_code == 400
    assert "merge the two contacts" in clash.content.decode()
    with tenant_context(tenant_a):
        mei.refresh_from_db()
        assert (mei.name, mei.language, mei.tier) == ("Mei C.", "zh-hans", "enterprise")
        phone = mei.identities.get(kind="phone")
    response = desk.post(f"{url}identities/{phone.pk}/remove/", follow=True)
    assert "Identity removed." in response.content.decode()
    merge = desk.post(f"{url}merge/", {"other": kai.email, "confirm": "1"})
    assert merge.status_code == 403
    with tenant_context(tenant_a):
        assert not ContactMerge.objects.exists()
        assert not mei.identities.filter(kind="phone").exists()


def test_admin_merges_after_confirming_and_can_undo(tenant_a, admin, people):
    mei, kai = people["mei"], people["kai"]
    desk = browser_for(tenant_a, admin)
    url = f"/desk/contacts/{mei.pk}/"
    assert "contact-merge-form" in desk.get(url).content.decode()
    review = desk.post(f"{url}merge/", {"other": "KAI@example.com", "keep": "this"})
    assert review.status_code == 200
    text = review.content.decode()
    assert "will be merged into" in text
    assert "merge-confirm-form" in text
    with tenant_context(tenant_a):
        assert Contact.objects.get(pk=kai.pk).merged_into_id is None  # nothing yet
    done = desk.post(f"{url}merge/", {"other": "KAI@example.com", "keep": "this", "confirm": "1"},
                     follow=True)  # fmt: skip
    page = done.content.decode()
    assert "was merged into this contact" in page
    assert "kai@example.com" in page  # Kai's address is now one of Mei's identities
    with tenant_context(tenant_a):
        merge = ContactMerge.objects.get()
        assert (merge.source_id, merge.target_id) == (kai.pk, mei.pk)
    # The merged contact's page leads to the surviving one.
    moved = desk.get(f"/desk/contacts/{kai.pk}/", follow=True)
    assert moved.redirect_chain == [(url, 302)]
    assert f"Contact {kai.pk} was merged into this contact." in moved.content.decode()
    undone = desk.post(f"{url}merges/{merge.pk}/undo/", follow=True)
    assert f"Merge undone: contact {kai.pk} is separate again." in undone.content.decode()
    with tenant_context(tenant_a):
        assert Contact.objects.get(pk=kai.pk).merged_into_id is None
    assert desk.get(f"/desk/contacts/{kai.pk}/").status_code == 200


def test_merge_page_refuses_clearly(tenant_a, admin, people, make_user):
    mei = people["mei"]
    desk = browser_for(tenant_a, admin)
    url = f"/desk/contacts/{mei.pk}/"
    page = desk.post(f"{url}merge/", {"other": str(mei.pk)}, follow=True).content.decode()
    assert "A contact cannot be merged into itself." in page
    page = desk.post(f"{url}merge/", {"other": "ghost@example.com"}, follow=True).content.decode()
    assert "No contact found with that id, email address or phone." in page


def test_customers_get_403_and_anonymous_visitors_the_sign_in_page(tenant_a, make_user, people):
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    mei = people["mei"]
    browser = browser_for(tenant_a, customer)
    for url in ("/desk/contacts/", f"/desk/contacts/{mei.pk}/"):
        assert browser.get(url).status_code == 403
    for action in ("edit/", "identities/", "merge/"):
        assert browser.post(f"/desk/contacts/{mei.pk}/{action}", {"name": "x"}).status_code == 403
    anonymous = browser_for(tenant_a).get(f"/desk/contacts/{mei.pk}/")
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_another_workspace_cannot_reach_these_contacts(tenant_a, tenant_b, make_user, people):
    mei = people["mei"]
    with tenant_context(tenant_b):
        assert not Contact.objects.filter(pk=mei.pk).exists()
    other_admin = make_user(tenant_b, User.Role.ADMIN)
    desk = browser_for(tenant_b, other_admin)
    assert desk.get(f"/desk/contacts/{mei.pk}/").status_code == 404
    assert desk.post(f"/desk/contacts/{mei.pk}/edit/", {"name": "x", "tier": "standard"}
                     ).status_code == 404  # fmt: skip
    assert desk.post(f"/desk/contacts/{mei.pk}/merge/", {"other": "1"}).status_code == 404
    assert "Mei Chen" not in desk.get("/desk/contacts/").content.decode()
    # A session of workspace alpha means nothing on beta's host.
    alpha_admin = make_user(tenant_a, User.Role.ADMIN)
    alpha_browser = browser_for(tenant_a, alpha_admin)
    response = alpha_browser.get(
        f"/desk/contacts/{mei.pk}/", HTTP_HOST=f"{tenant_b.slug}.localhost"
    )
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_ticket_page_links_to_the_customers_contact_page(tenant_a, agent, people):
    with tenant_context(tenant_a):
        ticket = Ticket.objects.filter(requester=people["mei"]).first()
    page = browser_for(tenant_a, agent).get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert f'href="/desk/contacts/{people["mei"].pk}/" id="customer-contact-link"' in page
