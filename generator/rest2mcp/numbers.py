"""Floats that msgspec's JSON encoder writes as the standard library's `json.dumps` does.

Both write the shortest text that reads back as the same float, but outside one range they spell it
differently: msgspec writes 1e16 and 0.00001 where Python writes 1e+16 and 1e-05, and it writes NaN
and infinities as null where `json.dumps` writes NaN or refuses them. Output written by msgspec is
the standard library's when every float in it is plain (see `plain_float`): the document's reader
and the configuration's check each float they read, so that the catalog and the document resource
can be written by msgspec, ten times faster, with the same bytes.
"""

from __future__ import annotations


def plain_float(value: float) -> bool:
    """Whether both encoders write `value` alike: 0, or finite from 1e-4 to 1e16 in magnitude."""
    return not value or 1e-4 <= abs(value) < 1e16
