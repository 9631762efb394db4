"""A row-cursor DataTable: Home and End go to the first and last row, and one column
can take the width the others leave."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


class RowTable(DataTable[object]):
    """DataTable's own Home/End scroll sideways, which does nothing in a row table.

    ``fill``: the key of a column that gets the table's remaining width (at least
    ``fill_min``), so a long text column is readable rather than a few characters wide.
    ``empty``: what Enter says on an empty table (instead of doing nothing silently).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, *, fill: str | None = None, fill_min: int = 20,
                 empty: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fill = fill
        self.fill_min = fill_min
        self.empty = empty

    def action_select_cursor(self) -> None:
        if self.row_count == 0 and self.empty:
            self.notify(self.empty, severity="warning")
            return
        super().action_select_cursor()

    def on_resize(self) -> None:
        self.fill_width()

    def fill_width(self) -> None:
        """Give the ``fill`` column the width the other columns leave."""
        if self.fill is None or ColumnKey(self.fill) not in self.columns:
            return
        column = self.columns[ColumnKey(self.fill)]
        others = sum(c.get_render_width(self) for key, c in self.columns.items()
                     if key != column.key)
        # room for a vertical scrollbar even before rows arrive, so no sideways scrolling
        room = self.size.width - self.styles.scrollbar_size_vertical - others
        width = max(self.fill_min, room - 2 * self.cell_padding)
        if column.width != width or column.auto_width:
            column.auto_width = False
            column.width = width
            # DataTable has no public call to re-measure after a width change: this flag
            # is what its own add_column sets, read on the next render
            self._require_update_dimensions = True
            self._update_count += 1  # its render caches are keyed on this
            self.refresh()
