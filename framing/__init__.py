"""framing: map the over-blocking / under-refusal trade-off of vision-language models."""

__version__ = "0.1.0"
