"""Qt item models over service dataclasses (no data access of their own)."""
