#!/usr/bin/env bash
# End-to-end pipeline benchmark on a throwaway PostgreSQL 15:
#   tools/bench/pipeline.sh [N=300000] [RATE=10000] [SECONDS=10]
# Needs a built tree (build/ or $BUILD). Prints raw COPY rows/s, end-to-end events/s and
# their ratio, and the publish->commit lag at a steady rate.
exec "$(dirname "$0")/with_pg.sh" mucstream_pipeline_bench "$@"
