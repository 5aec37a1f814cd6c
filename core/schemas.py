"""Schema types shared by every app's API."""

from typing import Annotated

from ninja import Field

# A primary key as the databases store it (64-bit): a larger number is answered with the
# one error format instead of overflowing in the database driver.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# The API's lists, one page at a time.
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
PAGINATION_NOTE = (
    f"Paginated: `page` (from 1) and `page_size` ({PAGE_SIZE}; at most {MAX_PAGE_SIZE})."
)
