from django.urls import path, re_path

from frontdoor.intake.open311 import views

# Each path ends in .<format>; an unknown format is answered by the view with a 400.
FORMAT = r"\.(?P<fmt>\w+)$"

urlpatterns = [
    path("", views.root, name="open311_root"),
    re_path(r"^discovery" + FORMAT, views.discovery, name="open311_discovery"),
    re_path(r"^services" + FORMAT, views.services, name="open311_services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + FORMAT,
        views.service_definition,
        name="open311_service",
    ),
    re_path(r"^requests" + FORMAT, views.requests, name="open311_requests"),
    re_path(
        r"^requests/(?P<reference>[^/]+?)" + FORMAT, views.request_detail, name="open311_request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FORMAT, views.token, name="open311_token"),
    re_path(r"^servicerequestupdates" + FORMAT, views.updates, name="open311_updates"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
