"""Timeline: a static site generator for sourced chronologies."""

from __future__ import annotations

__version__ = "0.1.0"
