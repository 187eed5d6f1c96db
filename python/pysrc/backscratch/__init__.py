"""backscratch: find recommendation trading (reciprocal pairs and short rings of people who
recommend each other) in who-recommended-whom data, from Python.

The work is done by the Rust library (the same code as the ``backscratch`` command line); this
module turns keyword arguments into its options; tables cross through Arrow (the PyCapsule
interface) both ways, and the JSON report is made only when asked for::

    import backscratch
    r = backscratch.scan("data/sample/recommendations.csv", people="data/sample/employment.csv")
    r.summary["reciprocal_pairs"], r.findings[["kind", "severity", "members"]], r.people

``inputs`` is a path, a list of paths, or a table of edges (pandas or Polars DataFrame, pyarrow
Table): its column names are the header, so ``from_col`` and the other column options work as
on the command line, and well-known names (``from``, ``to``, ``date``, ...) are found by
themselves. Every option has the command line's name (``--max-len`` is ``max_len``) and
default. Errors raise :class:`Error` (:class:`InputError`, also an ``OSError``, when a file
cannot be read; :class:`DataError` and :class:`UsageError`, also ``ValueError``\\ s, for bad data
and bad options) with the message the command line prints.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Iterable, List, Optional, Sequence, Union

from . import _native

__all__ = ["scan", "check", "Result", "Error", "InputError", "DataError", "UsageError", "CandidateNotFound",
           "FORMATS"]

#: The report formats of :meth:`Result.write` and :meth:`Result.render`.
FORMATS = ("table", "json", "jsonl", "csv", "markdown", "html", "junit", "dot", "parquet")


class Error(Exception):
    """A scan that could not run; the message is the command line's (its exit-2 errors)."""


class InputError(Error, OSError):
    """An input or evidence file could not be read."""


class DataError(Error, ValueError):
    """The data is unusable: a missing column, a damaged file, a bad row under ``strict``."""


class UsageError(Error, ValueError):
    """An option is out of range or malformed."""


class CandidateNotFound(Error, LookupError):
    """:func:`check` named someone the data does not have, or several people go by the name
    (the command line exits 2). ``result`` holds the report; ``names`` the names without a
    verdict; the message gives the closest names in the data."""

    def __init__(self, message: str, result: "Result", names: List[str]):
        super().__init__(message)
        self.result = result
        self.names = names


_KINDS = {"input": InputError, "data": DataError, "usage": UsageError}


def _raise(e: Exception) -> None:
    kind, message = e.args
    raise _KINDS.get(kind, Error)(message) from None


def _days(value: Union[None, int, float, str], what: str) -> Optional[float]:
    """A window in days: a number of days, or a string read as ``--window`` reads it
    (``30d``, ``2w``, ``36h``, ``90m``; a bare number is days)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return _native.parse_days(value)
        except _native.NativeError as e:
            raise UsageError(f"{what}: {e.args[1]}") from None
    days = float(value)
    if not (math.isfinite(days) and days > 0):
        raise UsageError(f"{what} must be longer than zero, not '{value}'")
    return days


def _seconds(value: Union[None, int, float, str], what: str) -> Optional[float]:
    """A budget in seconds: a number of seconds, or a string read as ``--time-budget`` reads
    it (``30s``, ``5m``, ``1500ms``; a bare number is seconds)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return _native.parse_seconds(value)
        except _native.NativeError as e:
            raise UsageError(f"{what}: {e.args[1]}") from None
    return float(value)


def _cell(value: Any) -> Optional[str]:
    """A table cell as the text a CSV would hold (``None``: empty)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        try:
            if value != value:  # NaT
                return None
        except (TypeError, ValueError):
            pass
        return value.isoformat()
    text = str(value)
    return text


def _columns(table: Any) -> Optional[List[tuple]]:
    """The columns of a pandas or Polars DataFrame or a pyarrow Table, as (name, cells)."""
    if hasattr(table, "column_names") and hasattr(table, "column"):  # pyarrow.Table
        return [(str(n), [_cell(v) for v in table.column(n).to_pylist()]) for n in table.column_names]
    if hasattr(table, "columns") and hasattr(table, "get_column"):  # polars.DataFrame
        return [(str(n), [_cell(v) for v in table.get_column(n).to_list()]) for n in table.columns]
    if hasattr(table, "columns") and hasattr(table, "to_dict") and hasattr(table, "iloc"):  # pandas
        return [(str(n), [_cell(v) for v in table.iloc[:, i].tolist()]) for i, n in enumerate(table.columns)]
    return None


def _stream(table: Any) -> Any:
    """The table as an Arrow C stream capsule, when it offers one (pyarrow Tables, Polars
    DataFrames, pandas DataFrames with pyarrow installed); ``None`` when it does not or
    cannot (a pandas column of mixed types is no Arrow column: it goes cell by cell)."""
    export = getattr(table, "__arrow_c_stream__", None)
    if export is None:
        return None
    try:
        return export()
    except Exception:  # pyarrow's ArrowInvalid/ArrowTypeError, pandas' ImportError
        return None


def _inputs(inputs: Any) -> tuple:
    """(paths, table of text cells, Arrow stream): what the native scan reads."""
    if isinstance(inputs, (str, os.PathLike)):
        return [os.fspath(inputs)], None, None
    stream = _stream(inputs)
    if stream is not None:
        return [], None, ("<dataframe>", stream)
    columns = _columns(inputs)
    if columns is not None:
        return [], ("<dataframe>", columns), None
    if isinstance(inputs, Iterable):
        paths = list(inputs)
        if paths and all(isinstance(p, (str, os.PathLike)) for p in paths):
            return [os.fspath(p) for p in paths], None, None
    raise UsageError("inputs must be a path, a list of paths, or a pandas/Polars DataFrame or pyarrow Table")


def _path(p: Any) -> Optional[str]:
    return None if p is None else os.fspath(p)


class Result:
    """The report of a scan or check, held by the native library until asked for.

    ``findings``, ``people`` and ``cases`` are pandas DataFrames made from Arrow tables (one
    row per finding, person or case; nested values as Arrow lists and structs, see the
    Parquet tables of docs/report-format.md); :meth:`table` gives any of the report's tables
    to pyarrow, Polars or DuckDB without a copy through text. ``report`` is the whole JSON
    report as a dict (the command line's contract, schema 1), made only when first read;
    ``summary`` its summary.
    """

    def __init__(self, native: Any):
        self._native = native
        self._report: Optional[dict] = None
        self._parts: dict = {}

    def _part(self, key: str) -> Any:
        if self._report is not None:
            return self._report.get(key)
        if key not in self._parts:
            self._parts[key] = json.loads(self._native.part(key))
        return self._parts[key]

    @property
    def report(self) -> dict:
        """The whole JSON report as a dict."""
        if self._report is None:
            self._report = json.loads(self.to_json())
        return self._report

    @property
    def summary(self) -> dict:
        """Counts, severities, warnings and checks that could not run."""
        return self._part("summary")

    def table(self, name: str) -> Any:
        """One of the report's tables (``findings``, ``people``, ``cases``, ``inputs``,
        ``subjects``) as an Arrow table: ``pyarrow.table(t)``, ``polars.DataFrame(t)`` or
        DuckDB read it through the Arrow PyCapsule interface (``__arrow_c_stream__``)."""
        try:
            return self._native.table(name)
        except _native.NativeError as e:
            _raise(e)

    def arrow(self, name: str):
        """One of the report's tables as a ``pyarrow.Table``."""
        try:
            import pyarrow
        except ImportError:
            raise ImportError("Arrow tables need pyarrow (pip install pyarrow)") from None
        return pyarrow.table(self.table(name))

    def _frame(self, key: str):
        try:
            import pandas
        except ImportError:
            raise ImportError("findings and people as DataFrames need pandas (pip install pandas)") from None
        try:
            import pyarrow  # noqa: F401
        except ImportError:  # without pyarrow, the frame is made from the JSON report
            return pandas.DataFrame(self.report.get(key) or [])
        return self.arrow(key).to_pandas(types_mapper=pandas.ArrowDtype)

    @property
    def cases(self):
        """The listed cases, most severe first, as a pandas DataFrame."""
        return self._frame("cases")

    @property
    def findings(self):
        """The listed findings (the cases' findings first), as a pandas DataFrame."""
        return self._frame("findings")

    @property
    def people(self):
        """Everyone in a finding (or the checked candidates) with a verdict, as a DataFrame."""
        return self._frame("people")

    @property
    def candidates(self) -> Optional[list]:
        """``check``'s candidates with their verdicts (``None`` for a scan)."""
        return self._part("subjects")

    def to_json(self) -> str:
        """The JSON report, byte for byte what ``backscratch scan --format json`` writes."""
        try:
            return self._native.json()
        except _native.NativeError as e:
            _raise(e)

    def render(self, format: str = "table") -> str:
        """The report in one of :data:`FORMATS` (all but ``parquet``, which is files), as text."""
        try:
            return bytes(self._native.render(format)).decode("utf-8")
        except _native.NativeError as e:
            _raise(e)

    def write(self, path: Union[str, os.PathLike], format: Optional[str] = None) -> List[str]:
        """Write the report to ``path`` (atomically, as ``-o`` does) in ``format`` (default:
        from the file's extension, else JSON); returns the files written: one, or for ``csv``
        the people sheet too, and for ``parquet`` five tables (``x.parquet`` holds the
        findings; ``x.people``, ``x.cases``, ``x.inputs`` and ``x.subjects.parquet`` beside it)."""
        path = os.fspath(path)
        if format is None:
            format = _native.format_for_path(path) or "json"
        try:
            targets = [path] + [os.fspath(p) for p in _native.companion_paths(path, format)]
        except _native.NativeError as e:
            _raise(e)
        params = self._part("params")
        for read in [i["path"] for i in self._part("inputs") or []] + [params.get("people_file"), params.get("allow_file")]:
            for target in targets:
                if read and os.path.exists(read) and os.path.exists(target) and os.path.samefile(read, target):
                    raise UsageError(f"{target} is a file this report was read from; write the report elsewhere")
        try:
            return [os.fspath(p) for p in self._native.write(path, format)]
        except _native.NativeError as e:
            _raise(e)

    def fails(self, fail_on: str = "high") -> bool:
        """Whether the command line would exit 1 with ``--fail-on fail_on``: findings (a
        check's candidates' findings) at or above it, and no error before them."""
        try:
            return self._native.fails(fail_on)
        except _native.NativeError as e:
            _raise(e)

    def exit_code(self, fail_on: str = "high") -> int:
        """The command line's exit code with ``--fail-on fail_on``: 0 clean, 1 findings at or
        above it, 2 an error (a search cut short, a candidate not found or ambiguous), 3 a
        candidate whose verdict cannot be told from the data."""
        try:
            return self._native.gate(fail_on)[0]
        except _native.NativeError as e:
            _raise(e)

    def status(self, fail_on: str = "high") -> str:
        """The outcome in one word, as :meth:`exit_code` decides it: ``clean``, ``findings``,
        ``error`` or ``cannot_tell``."""
        try:
            return self._native.gate(fail_on)[1]
        except _native.NativeError as e:
            _raise(e)

    def __repr__(self) -> str:
        s = self.summary
        return (f"<backscratch.Result: {s['people']} people, {s['recommendations']} recommendations, "
                f"{s['findings']} findings>")


def scan(
    inputs: Any,
    *,
    people: Optional[Union[str, os.PathLike]] = None,
    allow: Optional[Union[str, os.PathLike]] = None,
    max_len: Union[int, str] = "auto",
    window: Union[None, int, float, str] = None,
    max_findings: int = 1000,
    max_cases: int = 20,
    time_budget: Union[None, int, float, str] = None,
    threads: Optional[int] = None,
    strict: bool = False,
    header: str = "auto",
    from_col: Union[None, int, str] = None,
    to_col: Union[None, int, str] = None,
    time_col: Union[None, int, str] = None,
    text_col: Union[None, int, str] = None,
    relationship_col: Union[None, int, str] = None,
    weight_col: Union[None, int, str] = None,
    min_weight: Optional[float] = None,
    keep_negative: bool = False,
    date_format: Optional[str] = None,
    max_line_bytes: Optional[int] = None,
    count_only: bool = False,
    baseline: Optional[Union[str, os.PathLike]] = None,
    redact: bool = False,
    redact_key: Optional[Union[str, os.PathLike]] = None,
    timestamp: bool = False,
    _subjects: Optional[Sequence[str]] = None,
) -> Result:
    """Scan edge lists (or a table of edges) for reciprocal pairs and rings of recommendations.

    Options are the command line's flags with ``_`` for ``-``; ``window`` and ``time_budget``
    take a number (days, seconds) or a string such as ``30d`` or ``90s``; ``timestamp=True``
    puts ``generated_at`` into the report (off by default, so results compare equal). The
    scan runs without the GIL.
    """
    paths, table, stream = _inputs(inputs)
    if isinstance(max_len, str):
        if max_len != "auto":
            raise UsageError(f"max_len must be 3..8 or 'auto', not '{max_len}'")
        max_len = None
    if keep_negative and min_weight is not None:
        raise UsageError("keep_negative and min_weight cannot be given together: min_weight sets the floor")
    col = lambda c: None if c is None else str(c)
    options = {
        "people": _path(people),
        "allow": _path(allow),
        "max_len": max_len,
        "window_days": _days(window, "window"),
        "max_findings": int(max_findings),
        "max_cases": int(max_cases),
        "time_budget_seconds": _seconds(time_budget, "time_budget"),
        "threads": threads,
        "strict": bool(strict),
        "header": header,
        "from_col": col(from_col),
        "to_col": col(to_col),
        "time_col": col(time_col),
        "text_col": col(text_col),
        "relationship_col": col(relationship_col),
        "weight_col": col(weight_col),
        "min_weight": None if min_weight is None else float(min_weight),
        "keep_negative": bool(keep_negative),
        "date_format": date_format,
        "max_line_bytes": max_line_bytes,
        "count_only": bool(count_only),
        "baseline": _path(baseline),
        "redact": bool(redact),
        "redact_key": _path(redact_key),
        "timestamp": bool(timestamp),
    }
    subjects = None if _subjects is None else [str(s) for s in _subjects]
    # A str holding a lone surrogate (a mis-decoded file name, say) is no UTF-8 text.
    for what, value in [*options.items(), *(("subject", s) for s in subjects or [])]:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise UsageError(f"{what} is not valid text ({e.reason} at {e.start}): {value[:80]!r}") from None
    try:
        return Result(_native.scan(paths, table, stream, subjects, options))
    except _native.NativeError as e:
        _raise(e)


def check(inputs: Any, subjects: Sequence[str], **options: Any) -> Result:
    """The verdict (pass, warn, fail) for the named candidates only, with the evidence about
    them (``backscratch check``); ``Result.candidates`` holds one entry per candidate. Takes
    the options of :func:`scan`."""
    if isinstance(subjects, str) or not list(subjects):
        raise UsageError("subjects must be a non-empty list of names")
    names = list(subjects)
    for name in names:
        if not isinstance(name, str):
            raise UsageError(f"subjects must be names (str), not {type(name).__name__}: {name!r}")
        if not name.strip():
            raise UsageError("a subject's name is blank")
    result = scan(inputs, _subjects=names, **options)
    missing = [c for c in result.candidates or [] if c["person"] is None]
    if missing:
        parts = []
        for c in missing:
            near = ", ".join(c["suggestions"])
            what = "people of that name" if c["status"] == "ambiguous" else "closest names"
            parts.append(f"'{c['query']}' ({c['status']}" + (f"; {what}: {near})" if near else ")"))
        raise CandidateNotFound("no verdict for " + "; ".join(parts), result, [c["query"] for c in missing])
    return result
