"""Initial sequence numbers as RFC 6528 (and RFC 9293 section 3.4.1) recommend.

ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is a clock
ticking every 4 microseconds and F a keyed hash no outsider can compute. The clock is the
simulation's virtual clock and the key comes from the run's seed, so a run is reproducible;
successive incarnations of the same connection still get increasing ISNs, which is what
protects them from each other's old segments.
"""

from __future__ import annotations

import hashlib

__all__ = ["Address", "IsnGenerator"]

Address = tuple[str, int]

_MASK = (1 << 32) - 1


class IsnGenerator:
    """An RFC 6528 ISN generator keyed by a secret derived from ``seed``."""

    __slots__ = ("_key", "seed")

    def __init__(self, seed: int = 0):
        if type(seed) is not int or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
        self.seed = seed
        self._key = hashlib.blake2b(f"tcpedu isn secret {seed}".encode(), digest_size=32).digest()

    def __call__(self, local: Address, remote: Address, now_us: int) -> int:
        clock = (now_us // 4) & _MASK
        four_tuple = f"{local[0]}:{local[1]}>{remote[0]}:{remote[1]}".encode()
        offset = int.from_bytes(hashlib.blake2b(four_tuple, key=self._key, digest_size=4).digest(), "big")
        return (clock + offset) & _MASK
