#!/usr/bin/env bash
# What a batch with a media pause and resume costs when the session's media history is long
# (migration 0023), on a throwaway PostgreSQL 15:
#   tools/bench/media_history.sh [ROUNDS=9] [H ...=0 1000 10000 100000]
# Needs a built tree (build/ or $BUILD). Prints a markdown table: median ms per batch that
# extends the session's media row, per batch that computes it again, and their ratio.
exec "$(dirname "$0")/with_pg.sh" mucstream_media_history_bench "$@"
