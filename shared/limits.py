"""Bounds on what the API accepts: nothing reaches an aggregate its arithmetic cannot hold.

Money is an integer count of cents. One amount, price, limit or order total is at most
`MAX_CENTS` (10 billion in the major unit), so sums of them (a customer's exposure, a year's
revenue) stay far below the 64-bit columns they are stored in: 9 million orders of the largest
size would fit. Integers are strict (JSON `true` or "1" is not 1) and text may not hold control
characters (NUL cannot even be stored by PostgreSQL) nor be blank.
"""

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator, Field, StringConstraints

MAX_CENTS = 10**12
# A deadline or timeout further away than a year is a typo, and `now + minutes` must not overflow.
MAX_MINUTES = 366 * 24 * 60


def _integral(value: object) -> object:
    # JSON Schema counts 2.0 as an integer, so we do too; `true`, "2" and 2.5 stay refused.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


# A strict integer that also takes 2.0: use as `Annotated[int, Whole, Field(...)]`.
Whole = BeforeValidator(_integral)
Cents = Annotated[
    int, Whole, Field(ge=0, le=MAX_CENTS, strict=True, description=f"Cents, at most {MAX_CENTS:,}")
]
PositiveCents = Annotated[
    int, Whole, Field(gt=0, le=MAX_CENTS, strict=True, description=f"Cents, at most {MAX_CENTS:,}")
]
# No C0 control characters and no DEL inside; whitespace around it (tabs and line breaks too) is
# stripped before this is checked, and the pattern says so. Blank text is refused once stripped.
PRINTABLE = r"^\s*[^\x00-\x1f\x7f]*\s*$"


def printable(max_length: int, *, min_length: int = 1) -> StringConstraints:
    """Constraints of a stripped, printable string of bounded length: `Annotated[str, ...]`."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=PRINTABLE
    )


Identifier = Annotated[str, printable(100)]
# An identifier in a URL path (a SKU, a customer id).
PathIdentifier = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00-\x20\x7f]+$")]
