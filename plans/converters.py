"""Path converters shared by every app's ``urls.py``."""

from __future__ import annotations

# PostgreSQL's bigint, the widest id column in the portal (BigAutoField, and the access
# log's object_id). A larger number cannot name a row.
ID_MAX = 2**63 - 1


class IdConverter:
    """A row id in a URL: digits, at most ``ID_MAX``. A larger number does not match, so
    the URL is a plain 404 instead of an OverflowError (a 500) when the number reaches
    the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            raise ValueError("id out of range")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
