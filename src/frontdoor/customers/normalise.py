"""Turning what people type into the forms we store: E.164 phones, UK postcodes, emails.

Each function raises ValidationError with a message that says what to do.
"""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from localflavor.gb.forms import GBPostcodeField


def phone_to_e164(raw: str, *, region: str = "GB") -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Enter a phone number, like 020 7946 0000, 07911 123 456 or +44 808 157 0192",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_display(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_is_uk_mobile(e164: str) -> bool:
    """Whether a stored number is a UK mobile (+44, the Channel Islands and Isle of Man
    included), one a text message reaches: not a landline, pager or personal number, which
    may also start 07."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return (
        number.country_code == 44
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


_postcode_field = GBPostcodeField()


def postcode_normalise(raw: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'."""
    try:
        return str(_postcode_field.clean(raw))
    except ValidationError:
        raise ValidationError(
            "Enter a real UK postcode, like SW1A 1AA", code="invalid_postcode"
        ) from None


def email_normalise(raw: str) -> str:
    address = raw.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            "Enter an email address in the correct format, like name@example.com",
            code="invalid_email",
        ) from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


_APOSTROPHES = str.maketrans({"'": None, "\u2019": None, "\u2018": None, "`": None})
_SEPARATORS = str.maketrans({"-": " ", "\u2010": " ", "\u2013": " ", ".": " ", ",": " "})


def name_key(raw: str) -> str:
    """The form of a name that search compares: 'Zoë O’Brien-Smith' -> 'zoe obrien smith'.

    Accents, case and apostrophes are ignored and hyphens count as spaces, so staff find a
    customer however the name was typed on the phone or by the resident."""
    decomposed = unicodedata.normalize("NFKD", raw)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().translate(_APOSTROPHES).translate(_SEPARATORS).split())
