import multiprocessing

from kapdesk.cli import main

multiprocessing.freeze_support()  # a no-op unless frozen (kapdesk check's replay workers)
raise SystemExit(main())
