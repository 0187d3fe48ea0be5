import sys

from liveq.cli.main import main

sys.exit(main())
