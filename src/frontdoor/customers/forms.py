from typing import Any

from django import forms

from frontdoor.core.forms import GovukDateField
from frontdoor.customers.models import Customer
from frontdoor.customers.normalise import email_normalise, phone_to_e164, postcode_normalise
from frontdoor.customers.services import AddressDraft, CustomerDraft


def _check_address_is_whole(form: forms.Form) -> None:
    """An address needs its first line and its postcode, or neither."""
    data = form.cleaned_data
    if data.get("address_line_1") and not data.get("postcode") and "postcode" not in form.errors:
        form.add_error("postcode", "Enter the postcode of the address")
    if data.get("postcode") and not data.get("address_line_1", "").strip():
        form.add_error("address_line_1", "Enter the first line of the address")


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who is the customer?",
        choices=Customer.Kind.choices,
        initial=Customer.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    organisation_name = forms.CharField(label="Organisation name", required=False, max_length=200)
    date_of_birth = GovukDateField(
        label="Date of birth (optional)",
        required=False,
        past_only=True,
        help_text="For example, 27 3 1980",
    )
    email = forms.CharField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=40,
        help_text="For international numbers include the country code",
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    address_line_1 = forms.CharField(
        label="Address line 1 (optional)", required=False, max_length=200
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=200
    )
    town = forms.CharField(
        label="Town or city (optional)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    uprn = forms.IntegerField(
        label="UPRN (optional)",
        required=False,
        min_value=1,
        max_value=999_999_999_999,
        help_text="The property's Unique Property Reference Number",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "inputmode": "numeric"}),
    )

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        return email_normalise(value) if value.strip() else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return phone_to_e164(value) if value.strip() else ""

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        return postcode_normalise(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == Customer.Kind.PERSON and not data.get("family_name", "").strip():
            self.add_error("family_name", "Enter the customer's last name")
        if kind == Customer.Kind.ORGANISATION and not data.get("organisation_name", "").strip():
            self.add_error("organisation_name", "Enter the organisation's name")
        _check_address_is_whole(self)
        return data

    def draft(self) -> CustomerDraft:
        data = self.cleaned_data
        addresses = []
        if data["address_line_1"]:
            addresses.append(
                AddressDraft(
                    line_1=data["address_line_1"],
                    line_2=data["address_line_2"],
                    town=data["town"],
                    postcode=data["postcode"],
                    uprn=data["uprn"],
                )
            )
        return CustomerDraft(
            kind=data["kind"],
            title=data["title"],
            given_name=data["given_name"] if data["kind"] == Customer.Kind.PERSON else "",
            family_name=data["family_name"] if data["kind"] == Customer.Kind.PERSON else "",
            organisation_name=(
                data["organisation_name"] if data["kind"] == Customer.Kind.ORGANISATION else ""
            ),
            date_of_birth=data["date_of_birth"] if data["kind"] == Customer.Kind.PERSON else None,
            emails=[data["email"]] if data["email"] else [],
            phones=[data["phone"]] if data["phone"] else [],
            addresses=addresses,
        )


class CustomerDetailsForm(forms.Form):
    """Another email, phone number or address for an existing customer."""

    email = CustomerForm.base_fields["email"]
    phone = CustomerForm.base_fields["phone"]
    address_line_1 = CustomerForm.base_fields["address_line_1"]
    address_line_2 = CustomerForm.base_fields["address_line_2"]
    town = CustomerForm.base_fields["town"]
    postcode = CustomerForm.base_fields["postcode"]
    uprn = CustomerForm.base_fields["uprn"]

    clean_email = CustomerForm.clean_email
    clean_phone = CustomerForm.clean_phone
    clean_postcode = CustomerForm.clean_postcode

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not any(
            data.get(name) for name in ("email", "phone", "address_line_1", "postcode")
        ):
            raise forms.ValidationError("Enter an email address, a phone number or an address")
        _check_address_is_whole(self)
        return data

    def address(self) -> AddressDraft | None:
        data = self.cleaned_data
        if not data["address_line_1"]:
            return None
        return AddressDraft(
            line_1=data["address_line_1"],
            line_2=data["address_line_2"],
            town=data["town"],
            postcode=data["postcode"],
            uprn=data["uprn"],
        )
