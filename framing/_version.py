"""The package version (its own module, so that modules needing it import nothing else)."""

__version__ = "0.1.0"
