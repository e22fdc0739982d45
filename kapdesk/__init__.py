"""kapdesk: a desktop companion for ketamine-assisted psychotherapy clinics."""

__version__ = "0.1.0"
