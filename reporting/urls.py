from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("national/", views.national_submission, name="national_submission"),
    path(
        "national/export.<str:file_format>",
        views.national_period_export,
        name="national_period_export",
    ),
    path(
        "national/cases/<int:pk>.<str:file_format>",
        views.national_case_export,
        name="national_case_export",
    ),
]
