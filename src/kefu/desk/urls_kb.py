from django.urls import path

from kefu.desk import views_kb

urlpatterns = [
    path("knowledge-base/categories/", views_kb.kb_categories, name="kb_categories"),
    path(
        "knowledge-base/categories/<int:category_id>/",
        views_kb.kb_category_edit,
        name="kb_category_edit",
    ),
    path(
        "knowledge-base/categories/<int:category_id>/delete/",
        views_kb.kb_category_delete,
        name="kb_category_delete",
    ),
    path("articles/<int:article_id>/history/", views_kb.article_history, name="article_history"),
    path(
        "articles/<int:article_id>/history/<int:number>/",
        views_kb.article_revision,
        name="article_revision",
    ),
    path(
        "articles/<int:article_id>/history/<int:number>/restore/",
        views_kb.article_revision_restore_view,
        name="article_revision_restore",
    ),
    path("articles/files/", views_kb.article_asset_upload, name="article_asset_upload"),
]
