"""The Textual front end (``framing tui``); the only package that imports Textual."""

from framing.tui.app import FramingApp, make_app, run

__all__ = ["FramingApp", "make_app", "run"]
