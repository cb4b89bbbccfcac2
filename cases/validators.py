"""Checks on identifiers and dates that more than one form and the import share."""

from django.core.exceptions import ValidationError


def nhs_number_is_valid(value: str) -> bool:
    """10 digits whose last is the modulus-11 check digit of the first nine."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    if not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a real NHS number: 10 digits, like 943 476 5919", code="invalid"
        )


def normalise_nhs_number(value: str) -> str:
    return value.replace(" ", "").replace("-", "")


def search_text(value: str) -> str:
    """Names as the search compares them: no accents, no case, single spaces
    ("Zoë  O'Brien" → "zoe o'brien"), so that "zoe" finds "Zoë" and "ZOË"."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())
