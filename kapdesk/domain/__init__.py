"""Clinical rules in pure Python: no Qt, no SQLAlchemy (tests/domain/test_purity.py enforces it)."""
