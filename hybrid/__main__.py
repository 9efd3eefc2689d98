from hybrid.cli.main import main

raise SystemExit(main())
