"""``python -m samples.video_archive``: the archive's command line."""

import sys

from samples.video_archive.cli import main

sys.exit(main())
