"""`python -m services ...` is the `gapless` command line."""

from services.cli import main

main()
