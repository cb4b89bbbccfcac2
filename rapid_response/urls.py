from django.urls import path

from rapid_response import views

app_name = "rapid_response"

urlpatterns = [
    path("cases/<int:case_pk>/rapid-response/new/", views.episode_open, name="episode_open"),
    path("rapid-response/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("rapid-response/<int:pk>/team/", views.episode_team, name="episode_team"),
    path(
        "rapid-response/team/<int:pk>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("rapid-response/<int:pk>/stages/<slug:kind>/", views.stage_record, name="stage_record"),
    path("rapid-response/<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("rapid-response/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("rapid-response/<int:pk>/close/", views.episode_close, name="episode_close"),
]
