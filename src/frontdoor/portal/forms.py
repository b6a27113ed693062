"""My Account's forms, with GOV.UK Design System wording for every error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from frontdoor.cases.uploads import ACCEPT_ATTRIBUTE, KINDS_IN_WORDS, size_in_words
from frontdoor.core.signin import attempt_key, locked_out, lockout_message
from frontdoor.customers.normalise import phone_for_display
from frontdoor.notify.models import NotificationPreference
from frontdoor.portal.services import resident_password_set

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Email address must be 254 characters or fewer",
}
PASSWORD_MAX = 200


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        **kwargs,
    )


def _password_field(*, label: str, autocomplete: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={
            "required": "Enter your password",
            "max_length": f"Password must be {PASSWORD_MAX} characters or fewer",
        },
        **kwargs,
    )


def _password_problem(error: ValidationError) -> str:
    """Django's password validators' verdicts, in the words of GOV.UK's password pattern."""
    params = error.params or {}
    wording = {
        "password_too_short": f"Password must be at least {params.get('min_length', 8)} characters",
        "password_too_common": "Password is too easy to guess. Choose one that is not a "
        "common password",
        "password_entirely_numeric": "Password must include letters or symbols, not only numbers",
        "password_too_similar": "Password must not be like your email address",
    }
    return wording.get(error.code or "", " ".join(error.messages))


def password_problems(password: str, *, email: str) -> list[str]:
    """What is wrong with a new password for the account of this address, if anything."""
    user = get_user_model()(username=email, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as errors:
        return [_password_problem(error) for error in errors.error_list]
    return []


class RegisterForm(forms.Form):
    email = _email_field(
        help_text="You will sign in with it, and we will send a link to it to check it is yours"
    )
    password = _password_field(
        label="Create a password",
        autocomplete="new-password",
        help_text="At least 8 characters. Do not use a password you use for anything else",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Create a password"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, email = data.get("password"), data.get("email")
        if password:
            for problem in password_problems(password, email=email or ""):
                self.add_error("password", problem)
        return data


class SignInForm(forms.Form):
    email = _email_field()
    password = _password_field(label="Password", autocomplete="current-password")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                if locked_out(self.request):
                    raise ValidationError(
                        lockout_message(attempt_key(self.request, None)), code="locked_out"
                    )
                raise ValidationError(
                    "The email address or password is not right. Check them and try again, "
                    "or reset your password",
                    code="invalid_login",
                )
        return data


class EmailForm(forms.Form):
    email = _email_field()


class NewPasswordForm(forms.Form):
    """For Django's PasswordResetConfirmView, which passes the user and calls save()."""

    password = _password_field(
        label="New password",
        autocomplete="new-password",
        help_text="At least 8 characters. Do not use a password you use for anything else",
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter a new password"

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        problems = password_problems(password, email=self.user.email)
        if problems:
            raise ValidationError(problems)
        return password

    def save(self, commit: bool = True) -> Any:
        resident_password_set(user=self.user, password=self.cleaned_data["password"])
        return self.user


class CaseUpdateForm(forms.Form):
    text = forms.CharField(
        label="Your update",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Tell us anything new, or answer what we asked you",
        error_messages={"max_length": "Your update must be 5,000 characters or fewer"},
    )
    upload = forms.FileField(
        label="Add a file (optional)",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={
            "invalid": "The selected file could not be read. Choose it again",
            "empty": "The selected file is empty",
            "max_length": "The file's name must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "upload"
        ].help_text = (
            f"A photo or document: {KINDS_IN_WORDS}, smaller than {size_in_words(max_bytes)}"
        )


class TrackForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=24,
        error_messages={
            "required": "Enter your case reference",
            "max_length": "Enter the case reference as we gave it to you",
        },
        widget=forms.TextInput(
            attrs={
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "govuk-input--width-20",
            }
        ),
    )
    email = _email_field(help_text="The one you gave us when you got in touch")

    def __init__(self, *args: Any, example: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "reference"
        ].help_text = f"It looks like {example} and is in the email or letter we sent you"


class NotificationsForm(forms.Form):
    by = forms.ChoiceField(
        label="How should we tell you about progress on your cases?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how we should tell you about progress"},
    )
    mobile = forms.CharField(
        label="UK mobile number for text messages",
        required=False,
        max_length=30,
        help_text="Only if you choose text messages and we do not have your mobile number",
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "type": "tel", "class": "govuk-input--width-20"}
        ),
    )

    def __init__(self, *args: Any, email: str, mobile: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by = NotificationPreference.By
        text = f"By text message to {phone_for_display(mobile)}" if mobile else "By text message"
        choice = self.fields["by"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            (by.EMAIL, f"By email to {email}"),
            (by.SMS, text),
            (by.NONE, "Do not tell me: I will check My Account"),
        ]
        if mobile:
            del self.fields["mobile"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_texts = cleaned.get("by") == NotificationPreference.By.SMS
        if wants_texts and "mobile" in self.fields and not cleaned.get("mobile", "").strip():
            self.add_error("mobile", "Enter the UK mobile number we should text")
        return cleaned
