"""The desktop app: PySide6 windows, pages and Qt models over the engine, run with qasync."""
