from django.urls import include, path

from kefu.desk import views, views_articles

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("team/<int:user_id>/deactivate/", views.user_deactivate_view, name="user_deactivate"),
    path("team/<int:user_id>/reactivate/", views.user_reactivate_view, name="user_reactivate"),
    path("settings/brand/", views.brand, name="brand"),
    path("settings/categories/", views.categories, name="categories"),
    path(
        "settings/categories/<int:category_id>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path("settings/email/", views.email_settings, name="email"),
    path(
        "settings/knowledge-base/",
        views_articles.knowledge_base_settings,
        name="knowledge_base_settings",
    ),
    path("search/", views_articles.search_insights, name="search_insights"),
    path("articles/", views_articles.article_list, name="article_list"),
    path("articles/new/", views_articles.article_edit, name="article_new"),
    path("articles/<int:article_id>/", views_articles.article_edit, name="article_edit"),
    path("articles/preview/", views_articles.article_preview, name="article_preview"),
    path("articles/guided/new/", views_articles.guided_answer_edit, name="guided_answer_new"),
    path(
        "articles/guided/<int:article_id>/",
        views_articles.guided_answer_edit,
        name="guided_answer_edit",
    ),
    path("articles/import/", views_articles.article_import_new, name="article_import_new"),
    path(
        "articles/import/<int:import_id>/",
        views_articles.article_import_detail,
        name="article_import",
    ),
    path(
        "articles/import/<int:import_id>/status/",
        views_articles.article_import_status,
        name="article_import_status",
    ),
    path(
        "articles/export.<str:file_format>",
        views_articles.knowledge_base_export_view,
        name="knowledge_base_export",
    ),
    path(
        "search/phrasings/<int:phrasing_id>/forget/",
        views_articles.phrasing_forget_view,
        name="phrasing_forget",
    ),
    path("", include("kefu.desk.urls_kb")),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api/onboarding/", views.api_onboarding, name="api_onboarding"),
    path("api/team/", views.api_team, name="api_team"),
    path("", include("kefu.desk.urls_routing")),
    path("", include("kefu.desk.urls_channels")),
    path("", include("kefu.desk.urls_tickets")),
    path("", include("kefu.desk.urls_mail")),
    path("", include("kefu.desk.urls_contacts")),
    path("", include("kefu.desk.urls_export")),
    path("", include("billing.urls_desk")),
]
