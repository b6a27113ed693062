from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from frontdoor.api.views import address_unknown, api
from frontdoor.cases import views as case_views
from frontdoor.core import views as core_views
from frontdoor.core.signin import AdminSignInForm, StaffSignInForm
from frontdoor.customers import views as customer_views
from frontdoor.directory import views as directory_views
from frontdoor.intake.email import views as email_views
from frontdoor.intake.reception import views as reception_views
from frontdoor.intake.webforms import views as webform_views
from frontdoor.notify import views as notify_views
from frontdoor.portal.urls import account, tracking
from frontdoor.reporting import contact_points as contact_point_views
from frontdoor.reporting import views as reporting_views
from frontdoor.routing import views as routing_views

# The configuration site's sign-in says when a locked account can try again, as the others do.
admin.site.login_form = AdminSignInForm

console = (
    [
        path("", core_views.console_home, name="home"),
        path("customers/", customer_views.customer_search, name="customer_search"),
        path("customers/new/", customer_views.customer_new, name="customer_new"),
        path(
            "customers/<int:customer_id>/", customer_views.customer_detail, name="customer_detail"
        ),
        path(
            "customers/<int:customer_id>/details/new/",
            customer_views.customer_details_new,
            name="customer_details_new",
        ),
        path(
            "customers/<int:customer_id>/log-contact/", case_views.contact_log, name="contact_log"
        ),
        path("cases/mine/", case_views.my_cases, name="my_cases"),
        path("email/quarantine/", email_views.quarantine_list, name="quarantine"),
        path(
            "email/quarantine/<int:email_id>/process/",
            email_views.quarantine_reprocess,
            name="quarantine_reprocess",
        ),
        path("work/", routing_views.workspace, name="workspace"),
        path("work/now/", routing_views.work_now, name="work_now"),
        path("work/status/", routing_views.presence_change, name="presence_change"),
        path("work/next/", routing_views.work_next_take, name="work_next"),
        path(
            "work/items/<int:item_id>/<str:answer>/",
            routing_views.work_answer,
            name="work_answer",
        ),
        path("work/board/", routing_views.board, name="board"),
        path("work/board/now/", routing_views.board_now, name="board_now"),
        path("work/board/items/<int:item_id>/", routing_views.board_item, name="board_item"),
        path(
            "work/board/advisors/<int:user_id>/skills/",
            routing_views.board_skills,
            name="board_skills",
        ),
        path("reports/", reporting_views.overview, name="report_overview"),
        path(
            "reports/overview.<str:fmt>",
            reporting_views.overview,
            name="report_overview_export",
        ),
        path("reports/service/", reporting_views.service, name="report_service"),
        path(
            "reports/service.<str:fmt>",
            reporting_views.service,
            name="report_service_export",
        ),
        path("reports/today/", reporting_views.today, name="report_today"),
        path("reports/benchmarking/", reporting_views.benchmarking, name="report_peers"),
        path(
            "reports/benchmarking.<str:fmt>",
            reporting_views.benchmarking,
            name="report_peers_export",
        ),
        path(
            "reports/contact-points/",
            contact_point_views.contact_point_list,
            name="contact_points",
        ),
        path(
            "reports/contact-points/<int:point_id>/status/",
            contact_point_views.contact_point_status,
            name="contact_point_status",
        ),
        path(
            "reports/contact-points/unused/review/",
            contact_point_views.contact_points_unused_review,
            name="contact_points_unused_review",
        ),
        path("absence/", directory_views.absence_list, name="absences"),
        path("absence/new/", directory_views.absence_new, name="absence_new"),
        path("absence/<int:absence_id>/end/", directory_views.absence_finish, name="absence_end"),
        path("reception/", reception_views.desk_list, name="reception"),
        path("reception/<int:desk_id>/", reception_views.desk_screen, name="reception_desk"),
        path(
            "reception/<int:desk_id>/call/",
            reception_views.desk_call_next,
            name="reception_call",
        ),
        path("reception/<int:desk_id>/now/", reception_views.desk_now, name="reception_desk_now"),
        path(
            "reception/tickets/<int:ticket_id>/<str:action>/",
            reception_views.ticket_act,
            name="reception_ticket",
        ),
        path("routing/rules/", routing_views.rule_list, name="routing_rules"),
        path("routing/rules/new/", routing_views.rule_edit, name="routing_rule_new"),
        path("routing/rules/<int:rule_id>/", routing_views.rule_edit, name="routing_rule_edit"),
        path(
            "routing/rules/<int:rule_id>/delete/",
            routing_views.rule_remove,
            name="routing_rule_delete",
        ),
        path("cases/inbox/", case_views.department_inbox_view, name="department_inbox"),
        path("cases/<str:reference>/", case_views.case_detail, name="case_detail"),
        path(
            "cases/<str:reference>/files/<int:file_id>/",
            case_views.case_file_download,
            name="case_file",
        ),
        path(
            "cases/<str:reference>/messages/<str:channel>/<int:pk>/send-again/",
            notify_views.message_send_again,
            name="message_send_again",
        ),
        path("cases/<str:reference>/<str:action>/", case_views.case_action, name="case_action"),
    ],
    "console",
)

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=StaffSignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", core_views.sign_out, name="logout"),
    path("staff/", include(console)),
    # My Account for residents, and following one case by its reference without an account.
    path("account/", include(account)),
    path("track/", include(tracking)),
    # The waiting-room screen: public, so the display in the waiting area needs no sign-in.
    path("reception/<int:desk_id>/", reception_views.display, name="reception_display"),
    path("reception/<int:desk_id>/now/", reception_views.display_now, name="reception_display_now"),
    path("forms/", webform_views.form_list, name="webform_list"),
    path("forms/<slug:slug>/", webform_views.form_start, name="webform_start"),
    path("forms/<slug:slug>/sent/", webform_views.form_done, name="webform_done"),
    path("forms/<slug:slug>/<slug:step>/", webform_views.form_step, name="webform_step"),
    # The public performance page a council links from its website, and its figures as CSV.
    path("performance/", reporting_views.performance, name="performance"),
    path("performance.csv", reporting_views.performance, {"fmt": "csv"}, name="performance_csv"),
    path("open311/v2/", include("frontdoor.intake.open311.urls")),
    path("admin/", admin.site.urls),
    # The JSON API for the council's own systems: reference at /api/, version 1 at /api/v1/.
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", address_unknown),
]
