"""Widgets of the TUI: the template editor, the frontier plot, the sample image."""
