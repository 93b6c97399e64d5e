#!/bin/sh
# layering.sh: src/ keeps to the map in ARCHITECTURE.md: every file is on
# it, no stage includes a later stage's header, no headers include each
# other (tests/e2e/py/layering.py; its self-test plants one fault for each).
. tests/e2e/lib.sh
e2e_init layering python3

run_py tests/e2e/py/layering.py check ARCHITECTURE.md src
run_py tests/e2e/py/layering.py selftest ARCHITECTURE.md src
e2e_finish
