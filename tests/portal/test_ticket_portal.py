"""The customer's tickets in the help center: lists, the ticket page, who may read and act,
attachments, following, hot issues and the satisfaction survey."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from kefu.contacts.services import contact_for_user
from kefu.tenancy import tenant_context
from kefu.tickets.links import ticket_customer_url, ticket_rating_url
from kefu.tickets.models import BusinessCalendar, Ticket, TicketEvent, TicketRating, TicketView
from kefu.tickets.services.changes import ticket_follow, ticket_status_set
from kefu.tickets.services.thread import ticket_reply
from tests.conftest import host
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "customer", email="alice@alpha.example", first_name="Alice")


@pytest.fixture
def bob(tenant_a, make_user):
    return make_user(tenant_a, "customer", email="bob@alpha.example", first_name="Bob")


@pytest.fixture
def agent(tenant_a, make_user):
    return make_user(tenant_a, "agent", email="mei.agent@alpha.example", first_name="Mei")


@pytest.fixture
def alices_ticket(tenant_a, alice, agent, make_ticket):  # noqa: F811
    with tenant_context(tenant_a):
        requester = contact_for_user(user=alice)
    ticket = make_ticket(tenant_a, "My printer is on fire", requester=requester, actor=alice)
    with tenant_context(tenant_a):
        ticket_reply(ticket=ticket, author=agent, body="Please unplug it first.",
                     attachments=[SimpleUploadedFile("howto.pdf", b"%PDF public")])  # fmt: skip
        ticket_reply(ticket=ticket, author=agent, body="INTERNAL: customer is grumpy",
                     internal=True,
                     attachments=[SimpleUploadedFile("secret.pdf", b"%PDF secret")])  # fmt: skip
        ticket.first_response_due_at = timezone.now() + datetime.timedelta(hours=3)
        ticket.first_responded_at = None
        ticket.save()
    return ticket


def _attachment_ids(tenant, ticket) -> dict[str, int]:
    with tenant_context(tenant):
        return {a.filename: a.pk for a in ticket.attachments.all()}


def test_requester_sees_public_thread_deadline_and_staff_first_names_only(
    client, tenant_a, alice, alices_ticket, login_as
):
    with tenant_context(tenant_a):
        BusinessCalendar.objects.create(timezone="Asia/Shanghai")
        due = timezone.localtime(alices_ticket.first_response_due_at, ZoneInfo("Asia/Shanghai"))
    login_as(tenant_a, alice)
    page = client.get(f"/tickets/{alices_ticket.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert f"#{alices_ticket.number}" in page
    assert "My printer is on fire" in page
    assert "Please unplug it first." in page
    assert "howto.pdf" in page
    assert "INTERNAL" not in page, "internal notes never show"
    assert "secret.pdf" not in page
    assert "Mei" in page
    assert "mei.agent@alpha.example" not in page
    assert f"We will answer by {date_format(due, 'DATETIME_FORMAT')} (Asia/Shanghai)." in page
    assert 'id="reply"' in page
    assert "My problem is solved" in page
    files = _attachment_ids(tenant_a, alices_ticket)
    download = client.get(
        f"/tickets/{alices_ticket.pk}/attachments/{files['howto.pdf']}/", HTTP_HOST=host(tenant_a)
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF public"
    assert "attachment" in download["Content-Disposition"]
    secret = client.get(
        f"/tickets/{alices_ticket.pk}/attachments/{files['secret.pdf']}/", HTTP_HOST=host(tenant_a)
    )
    assert secret.status_code == 404, "an internal note's file is never served to customers"


def test_another_customer_cannot_read_a_private_ticket_or_its_files(
    client, tenant_a, bob, alices_ticket, login_as
):
    files = _attachment_ids(tenant_a, alices_ticket)
    for who in (None, bob):
        if who:
            login_as(tenant_a, who)
        url = f"/tickets/{alices_ticket.pk}/"
        assert client.get(url, HTTP_HOST=host(tenant_a)).status_code == 404
        assert client.get(f"{url}attachments/{files['howto.pdf']}/",
                          HTTP_HOST=host(tenant_a)).status_code == 404  # fmt: skip
        assert (
            client.post(f"{url}reply/", {"body": "hi"}, HTTP_HOST=host(tenant_a)).status_code == 404
        )
        assert client.post(f"{url}close/", HTTP_HOST=host(tenant_a)).status_code == 404
    page = client.get("/tickets/?q=printer", HTTP_HOST=host(tenant_a)).content.decode()
    assert "My printer is on fire" not in page


def test_the_email_link_opens_the_ticket_for_this_session_and_lets_them_reply(
    tenant_a, alices_ticket
):
    with tenant_context(tenant_a):
        link = _path(ticket_customer_url(alices_ticket))
    visitor = Client()
    response = visitor.get(link, HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{alices_ticket.pk}/"
    page = visitor.get(response["Location"], HTTP_HOST=host(tenant_a)).content.decode()
    assert "My printer is on fire" in page
    assert "INTERNAL" not in page
    assert "You" in page, "the requester's own messages are theirs"
    response = visitor.post(
        f"/tickets/{alices_ticket.pk}/reply/",
        {"body": "Unplugged, still smoking.",
         "attachments": SimpleUploadedFile("photo.jpg", b"jpg", content_type="image/jpeg")},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        reply = alices_ticket.messages.order_by("-pk").first()
        assert reply.body == "Unplugged, still smoking."
        assert reply.author is None
        assert reply.author_contact == alices_ticket.requester
        assert [a.filename for a in reply.attachments.all()] == ["photo.jpg"]
    page = visitor.get("/tickets/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "My printer is on fire" in page, "linked tickets are listed under my requests"


def test_a_link_from_one_workspace_opens_nothing_on_another(tenant_a, tenant_b, make_ticket):  # noqa: F811
    beta_ticket = make_ticket(tenant_b, "Beta's private problem")
    alpha_ticket = make_ticket(tenant_a, "Alpha's private problem")
    with tenant_context(tenant_a):
        token = urlsplit(ticket_customer_url(alpha_ticket)).query.removeprefix("t=")
    visitor = Client()
    for ticket_id in (alpha_ticket.pk, beta_ticket.pk):
        visitor.get(f"/tickets/{ticket_id}/?t={token}", HTTP_HOST=host(tenant_b))
        page = visitor.get(f"/tickets/{ticket_id}/", HTTP_HOST=host(tenant_b))
        assert page.status_code == 404
    forged = visitor.get(f"/tickets/{alpha_ticket.pk}/?t=forged", HTTP_HOST=host(tenant_a))
    assert forged.status_code == 302
    assert visitor.get(f"/tickets/{alpha_ticket.pk}/", HTTP_HOST=host(tenant_a)).status_code == 404


def test_anyone_reads_a_public_ticket_but_only_the_requester_replies(
    client,
    tenant_a,
    make_ticket,  # noqa: F811
):
    ticket = make_ticket(tenant_a, "Public outage report", is_public=True,
                         requester_email="reporter@example.com")  # fmt: skip
    page = client.get(f"/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Public outage report" in page
    assert 'id="reply"' not in page
    assert "reporter@example.com" not in page
    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": "me too"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert ticket.messages.count() == 1
        assert TicketView.objects.filter(ticket=ticket).count() == 1
    client.get(f"/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert TicketView.objects.filter(ticket=ticket).count() == 1, "one view a day per visitor"


def test_follow_and_unfollow_a_public_ticket(client, tenant_a, bob, login_as, alices_ticket,
                                             make_ticket):  # noqa: F811 # fmt: skip
    public = make_ticket(tenant_a, "Login page is down", is_public=True)
    login_as(tenant_a, bob)
    assert client.post(f"/tickets/{alices_ticket.pk}/follow/", {"follow": "yes"},
                       HTTP_HOST=host(tenant_a)).status_code == 404  # fmt: skip
    response = client.post(f"/tickets/{public.pk}/follow/", {"follow": "yes"},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert list(public.followers.all()) == [bob]
    page = client.get("/tickets/?tab=following", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Login page is down" in page
    page = client.get(f"/tickets/{public.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Unfollow" in page
    client.post(f"/tickets/{public.pk}/follow/", {"follow": "no"}, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert not public.followers.exists()
    anonymous = Client()
    assert (
        anonymous.post(f"/tickets/{public.pk}/follow/", HTTP_HOST=host(tenant_a)).status_code == 404
    )


def test_hot_issues_rank_this_weeks_follows_and_views(client, tenant_a, bob, make_ticket):  # noqa: F811
    viewed = make_ticket(tenant_a, "Viewed a lot", is_public=True)
    followed = make_ticket(tenant_a, "Followed once", is_public=True)
    old_news = make_ticket(tenant_a, "Popular last month", is_public=True)
    today = timezone.localdate()
    with tenant_context(tenant_a):
        for visitor in ("v1", "v2", "v3"):
            TicketView.objects.create(ticket=viewed, visitor_key=visitor, day=today)
        TicketView.objects.create(ticket=followed, visitor_key="v1", day=today)
        ticket_follow(ticket=followed, user=bob)
        for visitor in ("v1", "v2", "v3", "v4", "v5"):
            TicketView.objects.create(ticket=old_news, visitor_key=visitor,
                                      day=today - datetime.timedelta(days=20))  # fmt: skip
        old_follow = TicketEvent.objects.create(ticket=old_news, kind=TicketEvent.Kind.FOLLOWED)
        TicketEvent.objects.filter(pk=old_follow.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=20)
        )
    page = client.get("/tickets/?tab=hot", HTTP_HOST=host(tenant_a)).content.decode()
    assert page.index("Viewed a lot") < page.index("Followed once")
    assert "Popular last month" not in page
    public = client.get("/tickets/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Popular last month" in public
    assert 'id="sign-in-prompt"' in public


def test_lists_show_my_tickets_and_search_only_visible_ones(
    client,
    tenant_a,
    alice,
    bob,
    login_as,
    alices_ticket,
    make_ticket,  # noqa: F811
):
    make_ticket(tenant_a, "Printer jams on page two", is_public=True)
    login_as(tenant_a, bob)
    page = client.get("/tickets/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "You have not submitted any requests yet." in page
    page = client.get("/tickets/?q=printer", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Printer jams on page two" in page
    assert "My printer is on fire" not in page
    login_as(tenant_a, alice)
    page = client.get("/tickets/?tab=mine", HTTP_HOST=host(tenant_a)).content.decode()
    assert "My printer is on fire" in page
    assert "Printer jams" not in page
    page = client.get(f"/tickets/?q=%23{alices_ticket.pk}", HTTP_HOST=host(tenant_a)).content
    assert "My printer is on fire" in page.decode()


def test_close_reopen_and_rate_from_the_email_link(tenant_a, alices_ticket):
    visitor = Client()
    with tenant_context(tenant_a):
        link = _path(ticket_customer_url(alices_ticket))
    visitor.get(link, HTTP_HOST=host(tenant_a))
    url = f"/tickets/{alices_ticket.pk}/"
    assert visitor.post(url + "close/", HTTP_HOST=host(tenant_a)).status_code == 302
    page = visitor.get(url, HTTP_HOST=host(tenant_a)).content.decode()
    assert "Resolved" in page
    assert 'id="satisfaction"' in page
    assert "Reopen" in page
    assert visitor.post(url + "reopen/", HTTP_HOST=host(tenant_a)).status_code == 302
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=alices_ticket.pk).status == Ticket.Status.OPEN
        ticket_status_set(ticket=alices_ticket, status=Ticket.Status.RESOLVED, actor=None)
        rating_link = _path(ticket_rating_url(alices_ticket, score=4))

    from_email = Client()  # a new browser: only the link in the email
    response = from_email.get(rating_link, HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert response["Location"] == f"{url}rate/?score=4"
    page = from_email.get(response["Location"], HTTP_HOST=host(tenant_a)).content.decode()
    assert 'value="4" required checked' in page
    response = from_email.post(url + "rate/", {"score": "4", "comment": "Quick, thanks"},
                               HTTP_HOST=host(tenant_a))  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        rating = TicketRating.objects.get(ticket=alices_ticket)
        assert (rating.score, rating.comment) == (4, "Quick, thanks")
    page = from_email.get(url, HTTP_HOST=host(tenant_a)).content.decode()
    assert "You rated this 4 out of 5." in page

    stranger = Client()
    assert stranger.get(url + "rate/", HTTP_HOST=host(tenant_a)).status_code == 404
    assert stranger.post(url + "rate/", {"score": "1"}, HTTP_HOST=host(tenant_a)).status_code == 404
    with tenant_context(tenant_a):
        assert TicketRating.objects.get(ticket=alices_ticket).score == 4


def test_list_pages_take_the_same_queries_however_many_tickets(
    client,
    tenant_a,
    bob,
    login_as,
    django_assert_max_num_queries,
    make_ticket,  # noqa: F811
):
    login_as(tenant_a, bob)

    def queries(tab: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/tickets/?tab={tab}", HTTP_HOST=host(tenant_a)).status_code == 200
        return len(captured)

    first = make_ticket(tenant_a, "First public issue", is_public=True)
    with tenant_context(tenant_a):
        TicketView.objects.create(ticket=first, visitor_key="v", day=timezone.localdate())
        ticket_follow(ticket=first, user=bob)
    queries("public")  # warm the per-workspace caches (time zone) first
    few = {tab: queries(tab) for tab in ("public", "hot", "mine", "following")}
    for number in range(5):
        ticket = make_ticket(tenant_a, f"Public issue {number}", is_public=True)
        with tenant_context(tenant_a):
            TicketView.objects.create(ticket=ticket, visitor_key="v", day=timezone.localdate())
            ticket_follow(ticket=ticket, user=bob)
    many = {tab: queries(tab) for tab in ("public", "hot", "mine", "following")}
    assert many == few


def test_the_ticket_page_takes_the_same_queries_however_long_the_thread(
    client, tenant_a, alice, agent, login_as, alices_ticket
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_as(tenant_a, alice)
    url = f"/tickets/{alices_ticket.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, HTTP_HOST=host(tenant_a)).status_code == 200
        return len(captured)

    queries()  # warm the per-workspace caches (time zone) first
    short = queries()
    with tenant_context(tenant_a):
        for number in range(4):
            ticket_reply(ticket=alices_ticket, author=agent, body=f"Step {number}",
                         attachments=[SimpleUploadedFile(f"{number}.txt", b"x")])  # fmt: skip
    assert queries() == short
