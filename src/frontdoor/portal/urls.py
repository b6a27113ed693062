from django.urls import path

from frontdoor.portal import views

account = (
    [
        path("", views.cases_list, name="cases"),
        path("register/", views.register, name="register"),
        path("register/check-your-email/", views.check_email, name="check_email"),
        path("sign-in/", views.sign_in, name="sign_in"),
        path("sign-out/", views.sign_out, name="sign_out"),
        path("confirm-email/send-again/", views.confirmation_resend, name="confirm_resend"),
        path("confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
        path("password-reset/", views.password_reset, name="password_reset"),
        path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
        path(
            "password-reset/<uidb64>/<token>/",
            views.PasswordResetConfirm.as_view(),
            name="password_reset_confirm",
        ),
        path("cases/<str:reference>/", views.case_page, name="case"),
        path("notifications/", views.notifications, name="notifications"),
    ],
    "portal",
)

tracking = (
    [
        path("", views.track, name="track"),
        path("<str:reference>/", views.tracked_case, name="case"),
    ],
    "tracking",
)
