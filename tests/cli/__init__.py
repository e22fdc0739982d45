"""Tests of the command line (kapdesk.cli), in process and through a real subprocess."""
