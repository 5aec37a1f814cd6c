"""Schema types shared by every app's API."""

from typing import Annotated

from ninja import Field

# A primary key as the databases store it (64-bit): a larger number is answered with the
# one error format instead of overflowing in the database driver.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
