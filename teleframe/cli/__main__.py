"""`python -m teleframe.cli`, as the tests and the benchmark start the command."""

from teleframe.cli import main

main()
