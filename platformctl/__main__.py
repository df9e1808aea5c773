import sys

from platformctl.cli import main

sys.exit(main())
