"""The four screens of the TUI, one module each."""
