"""Routing and SLA settings, and availability (included into the desk URLs, namespace "desk")."""

from django.urls import path

from kefu.desk import views_routing as views

urlpatterns = [
    path("settings/routing/", views.routing_settings, name="routing_settings"),
    path(
        "settings/routing/groups/<int:group_id>/", views.skill_group_edit, name="skill_group_edit"
    ),
    path(
        "settings/routing/groups/<int:group_id>/delete/",
        views.skill_group_delete,
        name="skill_group_delete",
    ),
    path("settings/routing/agents/<int:user_id>/", views.agent_skills, name="agent_skills"),
    path("settings/sla/", views.sla_settings, name="sla_settings"),
    path("settings/sla/policies/<int:policy_id>/", views.sla_policy_edit, name="sla_policy_edit"),
    path(
        "settings/sla/policies/<int:policy_id>/delete/",
        views.sla_policy_delete,
        name="sla_policy_delete",
    ),
    path(
        "settings/sla/holidays/<int:holiday_id>/delete/",
        views.holiday_delete,
        name="holiday_delete",
    ),
    path("availability/", views.availability, name="availability"),
]
