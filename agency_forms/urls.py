from django.urls import path

from agency_forms import views

app_name = "agency_forms"

urlpatterns = [
    path("forms/dictionary/", views.data_dictionary, name="data_dictionary"),
    path("forms/dictionary.csv", views.data_dictionary_csv, name="data_dictionary_csv"),
    path("cases/<int:case_pk>/forms/ask/", views.form_requests_new, name="form_requests_new"),
    path("forms/requests/<int:pk>/change/", views.form_request_change, name="form_request_change"),
]
