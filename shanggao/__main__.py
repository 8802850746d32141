"""`python -m shanggao …` runs the same CLI as the `shanggao` script."""

from shanggao.cli import main

main(prog_name="shanggao")
