"""Type stubs of the native module (PyO3); use the functions of ``backscratch`` instead."""

from os import PathLike
from typing import Any, List, Optional, Sequence, Tuple, Union

class NativeError(Exception):
    """args: (kind, message) with kind one of 'input', 'data', 'usage'."""

def scan(
    inputs: Sequence[Union[str, PathLike]],
    table: Optional[Tuple[str, List[Tuple[str, List[Optional[str]]]]]],
    subjects: Optional[List[str]],
    options: dict[str, Any],
) -> str: ...
def render(json: str, format: str) -> bytes: ...
def write(json: str, path: Union[str, PathLike], format: str) -> List[str]: ...
def fails(json: str, floor: str) -> bool: ...
def gate(json: str, floor: str) -> Tuple[int, str]: ...
