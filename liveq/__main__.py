import sys

from liveq.cli import main

sys.exit(main())
