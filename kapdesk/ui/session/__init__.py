"""The guided dosing-session workspace (one module per step)."""

from kapdesk.ui.session.workspace import SessionWorkspace

__all__ = ["SessionWorkspace"]
