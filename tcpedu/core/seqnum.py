"""Sequence-number arithmetic modulo 2**32 (RFC 9293 section 3.4).

Sequence numbers wrap from 2**32 - 1 to 0, so "a < b" means "b is ahead of a by less than
half the number space" (the serial-number arithmetic of RFC 1982). Comparisons whose two
numbers are exactly 2**31 apart are undefined by that rule; here they compare as neither
less nor greater, so no window check ever accepts them.
"""

from __future__ import annotations

__all__ = [
    "SEQ_SPACE",
    "check_seq",
    "in_window",
    "seq_add",
    "seq_ge",
    "seq_gt",
    "seq_le",
    "seq_lt",
    "seq_sub",
]

SEQ_SPACE = 1 << 32
_MASK = SEQ_SPACE - 1
_HALF = 1 << 31


def check_seq(value: int, what: str = "sequence number") -> int:
    """Return ``value`` if it is a valid 32-bit sequence number, else raise ValueError."""
    if type(value) is not int or not 0 <= value < SEQ_SPACE:
        raise ValueError(f"{what} must be an integer with 0 <= n < 2**32, not {value!r}")
    return value


def seq_add(a: int, n: int) -> int:
    """``a + n`` modulo 2**32."""
    return (a + n) & _MASK


def seq_sub(a: int, b: int) -> int:
    """How far ``a`` is ahead of ``b``: ``(a - b)`` modulo 2**32, in [0, 2**32)."""
    return (a - b) & _MASK


def seq_lt(a: int, b: int) -> bool:
    """``a < b`` modulo 2**32."""
    return 0 < ((b - a) & _MASK) < _HALF


def seq_le(a: int, b: int) -> bool:
    """``a =< b`` modulo 2**32."""
    return ((b - a) & _MASK) < _HALF


def seq_gt(a: int, b: int) -> bool:
    """``a > b`` modulo 2**32."""
    return 0 < ((a - b) & _MASK) < _HALF


def seq_ge(a: int, b: int) -> bool:
    """``a >= b`` modulo 2**32."""
    return ((a - b) & _MASK) < _HALF


def in_window(x: int, left: int, size: int) -> bool:
    """``left =< x < left + size`` modulo 2**32 (an empty window holds nothing)."""
    return ((x - left) & _MASK) < size
