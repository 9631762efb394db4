"""A braille dot canvas: each terminal cell holds 2×4 dots, plus whole-cell markers.

Pure Python (Rich text out, no Textual), so the plot's drawing is testable on its own.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col]
BRAILLE_BASE = 0x2800


class BrailleCanvas:
    """``width`` × ``height`` cells; dot coordinates run (0, 0) top-left to
    (2·width − 1, 4·height − 1). Later drawing wins a cell's colour; markers win over dots."""

    def __init__(self, width: int, height: int) -> None:
        self.width = max(1, width)
        self.height = max(1, height)
        self._bits = [[0] * self.width for _ in range(self.height)]
        self._style: list[list[Style | None]] = [[None] * self.width
                                                 for _ in range(self.height)]
        self._marks: dict[tuple[int, int], tuple[str, Style]] = {}

    @property
    def dot_width(self) -> int:
        return self.width * 2

    @property
    def dot_height(self) -> int:
        return self.height * 4

    def dot(self, x: int, y: int, style: Style) -> None:
        if 0 <= x < self.dot_width and 0 <= y < self.dot_height:
            row, col = y // 4, x // 2
            self._bits[row][col] |= _DOT_BITS[y % 4][x % 2]
            self._style[row][col] = style

    def line(self, x0: int, y0: int, x1: int, y1: int, style: Style) -> None:
        """Bresenham's line between two dots."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def cell(self, x: int, y: int) -> tuple[int, int]:
        """The (row, column) of the cell holding dot (x, y)."""
        return (y // 4, x // 2)

    def mark(self, x: int, y: int, char: str, style: Style) -> None:
        """Put ``char`` in the cell holding dot (x, y)."""
        if 0 <= x < self.dot_width and 0 <= y < self.dot_height:
            self._marks[self.cell(x, y)] = (char, style)

    def rows(self) -> list[Text]:
        out = []
        for r in range(self.height):
            text = Text(no_wrap=True, overflow="crop")
            for c in range(self.width):
                marked = self._marks.get((r, c))
                if marked is not None:
                    text.append(marked[0], marked[1])
                elif self._bits[r][c]:
                    text.append(chr(BRAILLE_BASE + self._bits[r][c]), self._style[r][c])
                else:
                    text.append(" ")
            out.append(text)
        return out
