from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/add/", views.user_role_add, name="user_role_add"),
    path(
        "users/<int:pk>/roles/<str:kind>/<int:membership_pk>/remove/",
        views.user_role_remove,
        name="user_role_remove",
    ),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/invitation/", views.user_invitation_resend, name="user_invitation_resend"),
    path("panels/<int:pk>/roles/", views.panel_roles, name="panel_roles"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
]
