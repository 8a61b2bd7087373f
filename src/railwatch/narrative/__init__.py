"""Sentences an analyst can publish, from observations and movements: local times with their zone,
rounded distances to landmarks, ICD 203 likelihood words, and the limits of what imagery shows."""

from __future__ import annotations

from railwatch.narrative.brief import brief, stored_brief
from railwatch.narrative.sentences import Setting

__all__ = ["Setting", "brief", "stored_brief"]
