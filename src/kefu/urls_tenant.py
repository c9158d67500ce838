"""URLs of a workspace's host (<slug>.<root> or a custom domain): help center, accounts, desk."""

from django.urls import include, path

from kefu.accounts import views as account_views
from kefu.api import articles as api_articles
from kefu.api import openapi as api_openapi
from kefu.api import search as api_search
from kefu.api.tickets import views as api_tickets
from kefu.core import views
from kefu.desk import views as desk_views
from kefu.portal import views as portal
from tenants import views as tenant_views

urlpatterns = [
    path("", portal.home, name="help_center_home"),
    path("articles/<int:article_id>-<str:slug>/", portal.article_detail, name="article_detail"),
    path("articles/<int:article_id>/vote/", portal.article_vote_view, name="article_vote"),
    path("articles/<int:article_id>/guided/", portal.guided_outcome_view, name="guided_outcome"),
    path(
        "categories/<int:category_id>-<str:slug>/", portal.category_detail, name="category_detail"
    ),
    path("kb/files/<int:asset_id>/<str:filename>", portal.article_asset, name="article_asset"),
    path("search/", portal.search_page, name="search"),
    path("tickets/", include("kefu.portal.urls_tickets")),
    path("search/suggest/", portal.search_suggest, name="search_suggest"),
    path("api/v1/search", api_search.search_view, name="api_search"),
    path("api/v1/articles", api_articles.article_collection, name="api_articles"),
    path("api/v1/articles/<int:article_id>", api_articles.article_item, name="api_article"),
    path("api/v1/tickets", api_tickets.ticket_collection, name="api_tickets"),
    path("api/v1/tickets/<int:ticket_id>", api_tickets.ticket_item, name="api_ticket"),
    path(
        "api/v1/tickets/<int:ticket_id>/reply",
        api_tickets.ticket_reply_view,
        name="api_ticket_reply",
    ),
    path("api/v1/openapi.json", api_openapi.openapi, name="api_openapi"),
    path("sitemap.xml", portal.sitemap, name="sitemap"),
    path("widget.js", portal.widget_script, name="widget_script"),
    path("widget/", portal.widget_panel, name="widget"),
    # In front of allauth's own page of the same name: keys are bound to the workspace.
    path(
        "accounts/confirm-email/<str:key>/",
        account_views.confirm_email,
        name="account_confirm_email",
    ),
    # In front of allauth's: only a verified address can become the main one.
    path("accounts/email/", account_views.email_manage, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("handoff/<str:token>/", tenant_views.handoff, name="handoff"),
    path(
        "invitations/<str:token>/",
        account_views.invitation_accept_view,
        name="invitation_accept",
    ),
    path("desk/", include("kefu.desk.urls")),
    path("email/", include("kefu.messaging.urls")),
    path("brand/logo", desk_views.brand_logo, name="brand_logo"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "kefu.core.error_pages.bad_request"
handler403 = "kefu.core.error_pages.permission_denied"
handler404 = "kefu.core.error_pages.page_not_found"
handler500 = "kefu.core.error_pages.server_error"
