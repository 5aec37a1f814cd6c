"""Normalise and validate what people type into a customer profile."""

import datetime
import re
import zoneinfo

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# Digits (full-width too), spaces, and the punctuation people put in numbers.
_NOT_IN_A_NUMBER = re.compile(r"[^\d\s+\-().（）－]")


def normalize_mobile(raw: str) -> str:
    """Return the mobile as stored (bare national digits for China, +E.164 otherwise).

    Accepts spaces, dashes, brackets and a +86/0086 prefix; raises ValidationError when
    the text is not a valid mobile number.
    """
    text = raw.strip()
    if not text:
        return ""
    # The phone-number library reads keypad letters as digits (137abcd2003 -> 13722232003)
    # and skips other text: a number someone typed has only digits and punctuation.
    if _NOT_IN_A_NUMBER.search(text):
        raise ValidationError(_("Enter a valid mobile number."), code="invalid_mobile")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid mobile number."), code="invalid_mobile") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid mobile number."), code="invalid_mobile")
    if number.country_code == 86:
        national = str(number.national_number)
        if phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError(_("Enter a valid mobile number."), code="invalid_mobile")
        return national
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_birthday(value: datetime.date | None) -> None:
    """Reject a birthday in the future."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("A birthday cannot be in the future."), code="future_birthday")


def validate_lunar(month: int | None, day: int | None) -> dict[str, str]:
    """Return errors by field for a lunar month/day pair (both needed, within range)."""
    errors: dict[str, str] = {}
    if month is None:
        errors["lunar_birth_month"] = _("A lunar birthday needs the lunar month.")
    elif not 1 <= month <= 12:
        errors["lunar_birth_month"] = _("The lunar month must be between 1 and 12.")
    if day is None:
        errors["lunar_birth_day"] = _("A lunar birthday needs the lunar day.")
    elif not 1 <= day <= 30:
        errors["lunar_birth_day"] = _("The lunar day must be between 1 and 30.")
    return errors


def validate_time_zone(name: str) -> None:
    """Refuse a name that is not an IANA time zone ("Asia/Shanghai", "Europe/Berlin")."""
    if name and name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("Enter a time zone such as Asia/Shanghai."), code="invalid_time_zone"
        )
