import sys

from lrlint.cli import main

sys.exit(main())
