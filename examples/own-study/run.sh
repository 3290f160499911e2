#!/bin/sh
# The whole own-study path on this machine (examples/own-study/README.md):
# source clips of mixed formats -> stimuli import -> study -> bots -> export -> report.
# Run from the repository root: sh examples/own-study/run.sh   (about half a minute)
set -eu
PY=.venv/bin/python
HERE=examples/own-study
WORK=build/own-study                  # git-ignored: sources, answers, report
SET=stimuli/own-study-example         # under STIMULI_ROOT, where studies read sets
SLUG=own-example
export DEBUG=1                        # local use (README, "Running a study")
# a database of its own, made afresh, so the example leaves var/db.sqlite3 alone
mkdir -p $WORK && rm -f $WORK/db.sqlite3
export DATABASE_URL="sqlite:///$(pwd)/$WORK/db.sqlite3"

$PY $HERE/make_clips.py $WORK/sources
$PY -m generator stimuli import --clips $WORK/sources --factors $HERE/factors.csv \
    --out $SET --size 256
$PY manage.py migrate --noinput >/dev/null
$PY manage.py build_study $SET/manifest.json --design custom --slug $SLUG \
    --title "Own clips (example)" --questions $HERE/questions.toml
$PY manage.py run_bots $SLUG --n 4 --answers accurate
$PY manage.py export_responses $SLUG --include-bots --out $WORK/responses.csv
$PY -m analysis.report --responses $WORK/responses.csv --questions $HERE/questions.toml \
    --out $WORK/report.pdf
