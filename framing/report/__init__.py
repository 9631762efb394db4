"""The HTML trade-off report: one self-contained file built from a stored study.

``build_report(config)`` writes ``reports/<study>.html`` (or ``output``) and returns its
path; ``framing report`` and the end of ``framing search`` call it.
"""

from framing.report.builder import build_report, default_report_path

__all__ = ["build_report", "default_report_path"]
