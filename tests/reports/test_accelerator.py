"""reportlab runs with its C accelerator (the rl-accel package): without it, number
formatting, string widths and escaping run in Python and a session summary takes about
twice as long to lay out, with the same bytes."""

from __future__ import annotations

from reportlab.lib import rl_accel


def test_reportlab_uses_the_c_accelerator_for_every_helper() -> None:
    assert rl_accel._c_funcs  # _rl_accel was imported
    assert rl_accel._py_funcs == {}  # and nothing fell back to Python
