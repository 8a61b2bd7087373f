"""Shared loaders for the real Muttenz yard image used by the detect tests (cached per session)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image


@lru_cache(maxsize=2)
def labels_rgb(root: str) -> np.ndarray:
    """labels.png as (H, W, 3) uint8, yellow outlines burned in."""
    return np.asarray(Image.open(Path(root) / "real" / "muttenz" / "labels.png").convert("RGB"))


@lru_cache(maxsize=2)
def clean_image(root: str) -> np.ndarray:
    """labels.png with the outlines inpainted away, as (3, H, W) float32 in 0-1."""
    from railwatch.detect.inpaint import remove_outlines

    return (remove_outlines(labels_rgb(root)).astype(np.float32) / 255.0).transpose(2, 0, 1)


@lru_cache(maxsize=2)
def truth(root: str) -> list:
    from railwatch.detect.inpaint import truth_wagons

    return truth_wagons(labels_rgb(root))
