"""Exceptions raised by `kerasgan.data`."""


class DataNotFoundError(FileNotFoundError):
    """No source could provide the requested data; the message lists every place tried."""


class DataFormatError(ValueError):
    """A data file exists but cannot be read: corrupt IDX, unreadable image, mismatched labels."""
