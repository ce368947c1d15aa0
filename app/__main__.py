"""`python -m app …` is the same as the `plenary` command (used by the container image)."""

from app.cli import main

main()
