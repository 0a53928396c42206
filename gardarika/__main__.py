import sys

from gardarika.cli import main

sys.exit(main())
