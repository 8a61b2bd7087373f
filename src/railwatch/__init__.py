"""railwatch: railcar counts, train movements and surge alerts from overhead imagery of rail sites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from railwatch.detect.count import CountResult


def count(image: Any, tracks: Any = None, gsd: float | None = None, **kwargs: Any) -> CountResult:
    """Count railcars on the tracks of one image; see `railwatch.detect.count.count`."""
    from railwatch.detect.count import count as _count

    return _count(image, tracks=tracks, gsd=gsd, **kwargs)


__all__ = ["count", "__version__"]
