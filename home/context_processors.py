from django.http import HttpRequest

from home.navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    return {"service_navigation": navigation_for(request)}
