"""Names that people type and read: credential, connector and environment names.

A name is stored in Unicode compatibility form (NFKC: full-width `Ｄemo` is
`Demo`, the ligature `ﬁ` is `fi`) and must not hold characters that cannot be
seen or that reorder what is shown: control characters, format characters
(zero-width spaces and joiners, bidirectional overrides and isolates, the byte
order mark), line and paragraph separators, surrogates and private-use code
points. Two names are the same name when they are equal after NFKC and case
folding (`Straße` and `STRASSE`)."""

import unicodedata

from django.core.exceptions import ValidationError

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
MAX_LENGTH = 100  # every name field is a CharField(max_length=100)


def name_clean(value: str, *, what: str, max_length: int = MAX_LENGTH) -> str:
    """The name in NFKC, stripped; a ValidationError if it holds a refused
    character, or grew past max_length in NFKC (one `ﷺ` is 18 characters)."""
    name = unicodedata.normalize("NFKC", value).strip()
    if len(name) > max_length:
        raise ValidationError(
            f"The {what} is {len(name)} characters long once written in plain letters"
            f" (at most {max_length}).",
            code="max_length",
        )
    refused = dict.fromkeys(c for c in name if unicodedata.category(c) in REFUSED_CATEGORIES)
    if refused:
        shown = ", ".join(f"U+{ord(c):04X}" for c in refused)
        raise ValidationError(
            f"The {what} contains invisible or control characters ({shown}):"
            " type it again without them.",
            code="invisible",
        )
    return name


def name_key(value: str) -> str:
    """What two names are compared by: NFKC, case folded, NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold()).strip()
