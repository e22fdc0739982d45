"""Data files shipped with kapdesk (protocol presets, icons, styles)."""
