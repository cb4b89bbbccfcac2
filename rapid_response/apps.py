from django.apps import AppConfig


class RapidResponseConfig(AppConfig):
    name = "rapid_response"
