from django.urls import path

from billing import operator_views as billing_views
from tenants import operator_views as views

app_name = "operator"

urlpatterns = [
    path("", views.tenant_list, name="tenant_list"),
    path("tenants/<int:tenant_id>/suspend/", views.tenant_suspend_view, name="tenant_suspend"),
    path("tenants/<int:tenant_id>/plan/", views.tenant_plan_view, name="tenant_plan"),
    path("tenants/<int:tenant_id>/resume/", views.tenant_resume_view, name="tenant_resume"),
    path("tenants/<int:tenant_id>/export/", views.tenant_export_view, name="tenant_export"),
    path("tenants/<int:tenant_id>/delete/", views.tenant_delete_view, name="tenant_delete"),
    path("audit/", views.audit_log, name="audit_log"),
    path("plans/", billing_views.plan_list, name="plan_list"),
    path("plans/sync/", billing_views.plan_sync_view, name="plan_sync"),
]
