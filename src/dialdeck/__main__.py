from dialdeck.cli import main

raise SystemExit(main())
