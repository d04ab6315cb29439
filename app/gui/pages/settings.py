"""The Settings page: default connection, report folder, log level and theme, saved as soon as they change."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.gui.appearance import set_theme
from app.gui.context import AppContext
from app.gui.logfile import log_path
from app.gui.page import Page, card, hint, path_row

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
LEVELS = (("Normal (info)", "INFO"), ("Detailed (debug, for support)", "DEBUG"), ("Warnings only", "WARNING"))


class SettingsPage(Page):
    """Each control writes its preference at once; nothing here is a secret."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Settings", "How the app behaves on this computer.", parent)
        self.context = context
        prefs = context.preferences

        self.default_connection = QComboBox()
        self.report_folder = QLineEdit()
        self.report_folder.setPlaceholderText("Next to the spreadsheet (default)")
        self.report_folder.setText(str(prefs.report_folder() or ""))
        self.choose_folder = QPushButton("C&hoose…")
        self.log_level = QComboBox()
        for label, value in LEVELS:
            self.log_level.addItem(label, value)
        self.log_level.setCurrentIndex(max(0, self.log_level.findData(prefs.log_level())))
        self.theme = QComboBox()
        for label, value in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(prefs.theme())))

        box, layout = card("General")
        form = QFormLayout()
        form.addRow("&Connection at start", self.default_connection)
        path_row(form, "&Report folder", self.report_folder, self.choose_folder)
        form.addRow("&Theme", self.theme)
        form.addRow("&Log level", self.log_level)
        layout.addLayout(form)
        layout.addWidget(hint(f"The log file ({log_path()}) never holds a secret; send it to support if asked."))
        self.body.addWidget(box)
        self.body.addStretch(1)

        self._fill_connections()
        context.connections_changed.connect(self._fill_connections)
        self.default_connection.currentIndexChanged.connect(self._connection_chosen)
        self.report_folder.editingFinished.connect(self._folder_typed)
        self.choose_folder.clicked.connect(self.choose_report_folder)
        self.log_level.currentIndexChanged.connect(self._level_chosen)
        self.theme.currentIndexChanged.connect(self._theme_chosen)

    def _fill_connections(self) -> None:
        wanted = self.context.preferences.text("connection/default") or self.context.current_connection_name()
        self.default_connection.blockSignals(True)
        self.default_connection.clear()
        for name in self.context.connection_names():
            self.default_connection.addItem(name, name)
        self.default_connection.setCurrentIndex(max(0, self.default_connection.findData(wanted)))
        self.default_connection.blockSignals(False)

    def _connection_chosen(self) -> None:
        name = self.default_connection.currentData()
        if name:
            self.context.preferences.set_text("connection/default", name)

    def _folder_typed(self) -> None:
        text = self.report_folder.text().strip()
        if text and not Path(text).is_dir():
            self.context.show_error("Report folder", f"The folder {text} does not exist; reports stay next to "
                                    "the spreadsheet until you choose one that does.")
            return
        self.context.preferences.set_report_folder(Path(text) if text else None)

    def choose_report_folder(self) -> None:
        start = self.report_folder.text() or str(Path.home())
        name = QFileDialog.getExistingDirectory(self, "Report folder", start)
        if name:
            self.report_folder.setText(name)
            self.context.preferences.set_report_folder(Path(name))

    def _level_chosen(self) -> None:
        level = self.log_level.currentData()
        self.context.preferences.set_log_level(level)
        logging.getLogger().setLevel(getattr(logging, level))

    def _theme_chosen(self) -> None:
        theme = self.theme.currentData()
        self.context.preferences.set_theme(theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            set_theme(app, theme)
