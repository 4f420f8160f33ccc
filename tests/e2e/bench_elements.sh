#!/usr/bin/env bash
# `aws bench elements` runs both sides in one run: 36 element rows with our time, Pillow's
# (bench/elements_peer.py) and their ratio, then the mean line naming Pillow's version; a bad flag or a
# peer that cannot run is exit 2 with one line. Small images, one measurement: a smoke test, not a timing.
# Env: AWS_BIN, AWS_SOURCE_DIR.
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN}
export AWS_SOURCE_DIR=${AWS_SOURCE_DIR:?set AWS_SOURCE_DIR}
fails=0
fail() { echo "FAIL: $*"; fails=1; }
out=$("$AWS_BIN" bench elements --size 24 --reps 1 2>&1) || fail "bench elements exited $? ($out)"
rows=$(grep -cE '^  [A-Za-z]+(_mag[0-9.]+)? +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9]x$' <<<"$out")
[ "$rows" -eq 36 ] || fail "not 36 element rows with both sides and a ratio ($rows): $out"
grep -qE '^  mean \(uniform element\) .*x  \(Pillow 9\.' <<<"$out" || fail "no mean line naming Pillow: $out"
rc=0
out=$("$AWS_BIN" bench elements --channels 2 --no-peer 2>&1) || rc=$?
[ $rc -eq 2 ] && grep -q -- '--channels' <<<"$out" || fail "--channels 2: exit $rc ($out)"
rc=0
out=$("$AWS_BIN" bench elements --size 8 --reps 1 --peer /nonexistent/peer.py 2>&1) || rc=$?
[ $rc -eq 2 ] && [ "$(grep -c -- '--peer /nonexistent/peer.py' <<<"$out")" -eq 1 ] ||
  fail "a missing peer: exit $rc ($out)"
[ $fails -eq 0 ] && echo "bench elements: ok"
exit $fails
