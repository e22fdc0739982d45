from kapdesk.cli import main

raise SystemExit(main())
