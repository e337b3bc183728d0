"""Errors shared by the trace parsers."""


class TraceParseError(ValueError):
    """A trace line could not be understood.

    ``lineno`` is 1-based, ``line`` the offending text (shortened), ``reason``
    what was wrong with it.
    """

    def __init__(self, reason, lineno=None, line=""):
        self.reason, self.lineno = reason, lineno
        self.line = line if len(line) <= 200 else line[:200] + "..."
        where = f"line {lineno}: " if lineno is not None else ""
        super().__init__(f"{where}{reason}" + (f": {self.line!r}" if line else ""))


def as_text(data):
    """Trace input as text: ``str`` as is, ``bytes`` decoded as UTF-8 (errors name the line)."""
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            lineno = data.count(b"\n", 0, e.start) + 1
            start = data.rfind(b"\n", 0, e.start) + 1
            end = data.find(b"\n", e.start)
            bad = data[start:end if end >= 0 else len(data)].decode("utf-8", "replace")
            raise TraceParseError(f"not UTF-8 text ({e.reason} at byte {e.start})", lineno, bad) from None
    raise TypeError(f"a trace is text (str or bytes), got {type(data).__name__}")
