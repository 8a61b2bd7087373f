"""Scenes for detector tests: small synthetic yards rendered by tests/detect/synth.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
