import sys

from kapdesk.cli import run

if getattr(sys, "frozen", False):  # kapdesk check's replay workers, in the frozen app
    import multiprocessing

    multiprocessing.freeze_support()
run()
