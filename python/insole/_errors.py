"""Exceptions raised by the insole package, one per kind of toolkit error.

Every exception carries the toolkit's message unchanged (the same text ``insole`` prints after
``error:``) and the toolkit's error code as ``.code`` (``"format_error"``, ``"not_found"`` ...).
"""


class Error(Exception):
    """Any error reported by the toolkit. ``code`` is the toolkit's error code."""

    code: str = ""


class InputError(Error, ValueError):
    """The input exists but is malformed or out of range (format_error, invalid_argument,
    unsupported, checksum)."""


class NotFoundError(Error, FileNotFoundError):
    """A file, stream or object does not exist (not_found)."""


class NoDataError(Error):
    """The input is valid but holds nothing to analyse (no_data)."""


class ToolkitIOError(Error, OSError):
    """The operating system refused a read or write (io_error, disk_full)."""


_BY_CODE = {
    "invalid_argument": InputError,
    "format_error": InputError,
    "unsupported": InputError,
    "checksum": InputError,
    "not_found": NotFoundError,
    "no_data": NoDataError,
    "io_error": ToolkitIOError,
    "disk_full": ToolkitIOError,
}


def class_for(code: str) -> type:
    """The exception class for a toolkit error code (used by the C++ module)."""
    return _BY_CODE.get(code, Error)
