"""The look of the app: Fusion style, a palette that follows the system's light or dark mode, icons."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from app.resources import icon_path

ACCENT = "#2f6fe4"
ERROR_LIGHT, ERROR_DARK = "#fbd5d5", "#6b2430"
WARNING_LIGHT, WARNING_DARK = "#fdf0c4", "#5c4a12"
SUCCESS_LIGHT, SUCCESS_DARK = "#d5f2de", "#1f4d31"


def app_icon() -> QIcon:
    """The app icon at every shipped size (the SVG master when no PNG is there)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = icon_path(size)
        if png.exists():
            icon.addFile(str(png))
    if icon.isNull() and icon_path().exists():
        icon.addFile(str(icon_path()))
    return icon


_theme = "system"  # "system", "light" or "dark" (the Settings page)


def is_dark(app: QGuiApplication | None = None) -> bool:
    """True when the chosen theme, or the system's colour scheme under "system", is dark."""
    if _theme != "system":
        return _theme == "dark"
    app = app or QGuiApplication.instance()  # type: ignore[assignment]  # the app is a QGuiApplication when one runs
    if app is None:
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        window, base, alt, text, button = "#1f2228", "#16181d", "#23262d", "#e6e8eb", "#2a2e36"
        disabled, mid = "#7a808a", "#3a3f48"
    else:
        window, base, alt, text, button = "#f4f5f7", "#ffffff", "#f7f8fa", "#1d2129", "#ffffff"
        disabled, mid = "#9aa0a8", "#d5d9df"
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: alt,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea2ff" if dark else ACCENT,
        QPalette.ColorRole.Mid: mid,
        QPalette.ColorRole.Midlight: mid,
        QPalette.ColorRole.BrightText: "#ff6b6b",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return p


def problem_colour(severity: str) -> QColor:
    """Cell background for an error or a warning, readable in both colour schemes."""
    dark = is_dark()
    if severity == "error":
        return QColor(ERROR_DARK if dark else ERROR_LIGHT)
    if severity == "warning":
        return QColor(WARNING_DARK if dark else WARNING_LIGHT)
    return QColor(SUCCESS_DARK if dark else SUCCESS_LIGHT)


_STYLE = """
QWidget#sidebar { background: %(sidebar)s; border-right: 1px solid %(line)s; }
QListWidget#navigation { background: transparent; border: none; outline: 0; font-size: 10.5pt; }
QListWidget#navigation::item { padding: 9px 12px; margin: 2px 8px; border-radius: 6px; color: %(text)s; }
QListWidget#navigation::item:selected { background: %(selected)s; color: %(accent_text)s; font-weight: 600; }
QListWidget#navigation::item:hover:!selected { background: %(hover)s; }
QLabel#brand { font-size: 13pt; font-weight: 700; padding: 4px 0px; }
QLabel#brandSub { color: %(muted)s; font-size: 8.5pt; }
QLabel#pageTitle { font-size: 16pt; font-weight: 600; }
QLabel#pageSubtitle, QLabel#hint { color: %(muted)s; }
QLabel#sectionTitle { font-size: 11pt; font-weight: 600; }
QLabel#bigNumber { font-size: 20pt; font-weight: 600; }
QLabel#statLabel { color: %(muted)s; font-size: 8.5pt; text-transform: uppercase; }
QFrame#card { background: %(base)s; border: 1px solid %(line)s; border-radius: 8px; }
QFrame#dropZone { background: %(base)s; border: 2px dashed %(line_strong)s; border-radius: 10px; }
QFrame#dropZone[hover="true"] { border-color: %(accent)s; background: %(hover)s; }
QPushButton { padding: 5px 14px; border-radius: 5px; }
QPushButton#primary { background: %(accent)s; color: white; border: 1px solid %(accent)s; font-weight: 600; }
QPushButton#primary:disabled { background: %(line_strong)s; border-color: %(line_strong)s; color: %(muted)s; }
QPushButton#primary:hover:!disabled { background: %(accent_hover)s; }
QTableView { gridline-color: %(line)s; selection-background-color: %(accent)s; }
QHeaderView::section { padding: 4px 6px; border: none; border-right: 1px solid %(line)s;
    border-bottom: 1px solid %(line)s; background: %(header)s; font-weight: 600; }
QProgressBar { border: 1px solid %(line)s; border-radius: 5px; text-align: center; height: 18px; background: %(base)s; }
QProgressBar::chunk { background: %(accent)s; border-radius: 4px; }
QLabel#stepLabel { color: %(muted)s; padding: 4px 10px; border-radius: 10px; }
QLabel#stepLabel[current="true"] { color: white; background: %(accent)s; font-weight: 600; }
QLabel#stepLabel[done="true"] { color: %(text)s; }
QLabel#badgeError { background: %(error)s; border-radius: 8px; padding: 2px 8px; }
QLabel#badgeWarning { background: %(warning)s; border-radius: 8px; padding: 2px 8px; }
QLabel#badgeOk { background: %(ok)s; border-radius: 8px; padding: 2px 8px; }
"""


def style_sheet(dark: bool) -> str:
    if dark:
        values = dict(sidebar="#191b20", line="#30343c", line_strong="#4a505a", selected="#2b3b5e",
                      hover="#262a32", text="#e6e8eb", muted="#9aa1ab", base="#16181d",
                      header="#23262d", accent_text="#cfe0ff")
    else:
        values = dict(sidebar="#eceef2", line="#dde1e6", line_strong="#b9c0c9", selected="#dbe6fb",
                      hover="#e3e7ee", text="#1d2129", muted="#646b75", base="#ffffff",
                      header="#f1f3f6", accent_text="#1848a8")
    values.update(accent=ACCENT, accent_hover="#255ed0",
                  error=ERROR_DARK if dark else ERROR_LIGHT,
                  warning=WARNING_DARK if dark else WARNING_LIGHT,
                  ok=SUCCESS_DARK if dark else SUCCESS_LIGHT)
    return _STYLE % values


def _refresh(app: QApplication) -> None:
    dark = is_dark(app)
    app.setPalette(_palette(dark))
    app.setStyleSheet(style_sheet(dark))
    _tinted_icon.cache_clear()


def apply_appearance(app: QApplication, theme: str = "system") -> None:
    """Fusion style with a palette and style sheet matching the theme (or the system scheme, kept in step)."""
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    set_theme(app, theme)
    app.styleHints().colorSchemeChanged.connect(lambda *_: _refresh(app))


def set_theme(app: QApplication, theme: str) -> None:
    """Switch between "system", "light" and "dark" at once."""
    global _theme
    _theme = theme if theme in ("system", "light", "dark") else "system"
    _refresh(app)


# Line icons for the navigation, drawn in the palette's text colour.
_ICONS = {
    "connections": '<path d="M9 15l6-6"/><path d="M11 6l1.5-1.5a4 4 0 015.7 5.7L16.5 12"/>'
                   '<path d="M13 18l-1.5 1.5a4 4 0 01-5.7-5.7L7.5 12"/>',
    "import": '<path d="M12 16V4"/><path d="M7 9l5-5 5 5"/><path d="M4 15v4a1 1 0 001 1h14a1 1 0 001-1v-4"/>',
    "export": '<path d="M12 4v12"/><path d="M7 11l5 5 5-5"/><path d="M4 15v4a1 1 0 001 1h14a1 1 0 001-1v-4"/>',
    "convert": '<path d="M4 8h13"/><path d="M14 4l4 4-4 4"/><path d="M20 16H7"/><path d="M10 12l-4 4 4 4"/>',
    "cleanup": '<path d="M4 7h16"/><path d="M9 7V4h6v3"/><path d="M6 7l1 13h10l1-13"/><path d="M10 11v6"/><path d="M14 11v6"/>',
    "jobs": '<rect x="4" y="4" width="16" height="16" rx="2"/><path d="M8 9h8"/><path d="M8 13h8"/><path d="M8 17h5"/>',
    "settings": '<path d="M4 7h10"/><path d="M18 7h2"/><circle cx="16" cy="7" r="2"/><path d="M4 17h4"/>'
                '<path d="M12 17h8"/><circle cx="10" cy="17" r="2"/>',
    "file": '<path d="M14 3H6a1 1 0 00-1 1v16a1 1 0 001 1h12a1 1 0 001-1V8z"/><path d="M14 3v5h5"/>',
    "sandbox": '<rect x="3" y="5" width="18" height="12" rx="2"/><path d="M8 21h8"/><path d="M12 17v4"/>',
    "cloud": '<path d="M7 18a4 4 0 01-.5-8A6 6 0 0118 9a4.5 4.5 0 01-.5 9z"/>',
}


@cache
def _tinted_icon(name: str, colour: str) -> QIcon:
    body = _ICONS[name]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="{colour}" '
        f'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{body}</svg>'
    )
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def line_icon(name: str) -> QIcon:
    """A navigation icon drawn in the current text colour."""
    app = QGuiApplication.instance()
    colour = (app.palette().color(QPalette.ColorRole.WindowText).name() if isinstance(app, QGuiApplication)
              else "#333333")
    return _tinted_icon(name, colour)
