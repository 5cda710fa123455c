"""Errors eduplan reports to users as one clear line (the CLI maps them to exit codes)."""

from __future__ import annotations


class EduplanError(Exception):
    """A problem with the user's input, data or model: shown as one line, exit code 1."""

    exit_code = 1


class InputError(EduplanError):
    """A file that cannot be read as a plan document or table."""


class DataError(EduplanError):
    """A labeled corpus or taxonomy that is malformed or inconsistent."""


class ModelError(EduplanError):
    """A model file that is missing, tampered with, stale or untrusted."""


class UsageError(EduplanError):
    """Options that do not make sense together (exit code 2)."""

    exit_code = 2
