import sys

from kapdesk.cli import main

if getattr(sys, "frozen", False):  # kapdesk check's replay workers, in the frozen app
    import multiprocessing

    multiprocessing.freeze_support()
raise SystemExit(main())
