"""Pages a customer reaches from an automatic reply (tenant host)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kefu.kb.models import Article
from kefu.messaging.autoreply import solved_link_read, ticket_solve_by_article
from kefu.tickets.models import Ticket


@require_http_methods(["GET", "POST"])
def solved_by_view(request: HttpRequest, ticket_id: int, article_id: int) -> HttpResponse:
    """ "This solved it": the link only asks (mail scanners open links; only the customer's
    button press closes the ticket), the button resolves the ticket as deflected by email.
    A forged, expired or foreign link is a 404."""
    token = request.POST.get("t") if request.method == "POST" else request.GET.get("t")
    shown = solved_link_read(token or "", ticket_id=ticket_id, article_id=article_id)
    article = Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED).first()
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if shown is None or article is None or ticket is None:
        raise Http404
    context = {"ticket": ticket, "article": article, "token": token}
    if request.method == "POST":
        ticket_solve_by_article(ticket=ticket, article=article, shown=shown)
        return render(request, "messaging/solved_by_done.html", context)
    if ticket.status not in Ticket.ACTIVE_STATUSES:
        return render(request, "messaging/solved_by_done.html", context)
    return render(request, "messaging/solved_by.html", context)
