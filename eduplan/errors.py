"""Errors eduplan reports to users as one clear line (the CLI maps them to exit codes).

Each error carries domain fields besides its message: the ``path`` it is
about, the table ``column``, the ``limit`` that was exceeded, the ``option``
that was misused. The library never names command-line flags in messages; the
CLI alone turns these fields into hints such as ``use --column``.
"""

from __future__ import annotations

__all__ = ["EduplanError", "InputError", "DataError", "ModelError", "UsageError"]


class EduplanError(Exception):
    """A problem with the user's input, data or model: shown as one line, exit code 1."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        column: str | None = None,
        limit: str | None = None,
        option: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.path, self.column, self.limit, self.option = path, column, limit, option


class InputError(EduplanError):
    """A file that cannot be read as a plan document or table."""


class DataError(EduplanError):
    """A labeled corpus or taxonomy that is malformed or inconsistent."""


class ModelError(EduplanError):
    """A model file that is missing, tampered with, stale or untrusted."""


class UsageError(EduplanError):
    """Options or arguments that do not make sense together (exit code 2)."""

    exit_code = 2
