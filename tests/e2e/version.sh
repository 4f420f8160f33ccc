#!/usr/bin/env bash
# `aws --version` and `aws version` print the same build facts, exit 0, and name every field: the git
# revision, the CUDA architectures ("cpu only" or sm_/compute_ names), CUDA toolkit/runtime/driver and
# cuDNN versions (or "not built"), and oneDNN's version (or "not built"), each matching the build.
# Env: AWS_BIN (the aws binary), AWS_BUILD_DIR (its build folder, for CMakeCache.txt).
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
BUILD=${AWS_BUILD_DIR:?set AWS_BUILD_DIR to the build folder}
out=$("$AWS_BIN" --version) || { echo "FAIL: aws --version exited $?"; exit 1; }
out2=$("$AWS_BIN" version) || { echo "FAIL: aws version exited $?"; exit 1; }
echo "$out"
fails=0
fail() { echo "FAIL: $*"; fails=1; }
[[ $out == "$out2" ]] || fail "aws version differs from aws --version: $out2"
[[ $(head -1 <<<"$out") =~ ^aws\ ([0-9a-f]{7,}(-dirty)?|unknown)\ \( ]] || fail "first line lacks the git revision"
rev=$(head -1 <<<"$out" | cut -d' ' -f2)
[[ $rev != unknown ]] || fail "revision unknown (no .git, no AWS_GIT_REVISION, no .git-revision)"
cache=$BUILD/CMakeCache.txt
cuda=$(sed -n 's/^AWS_CUDA:BOOL=//p' "$cache")
dnnl=$(sed -n 's/^AWS_ONEDNN:BOOL=//p' "$cache")
if [[ $cuda == ON ]]; then
  grep -Eq '^cuda architectures: ((sm|compute)_[0-9]+a? ?)+$' <<<"$out" || fail "no sm_/compute_ architectures"
  grep -Eq '^cuda: toolkit [0-9]+\.[0-9]+, runtime [0-9]+\.[0-9]+, driver ([0-9]+\.[0-9]+|none)$' <<<"$out" || fail "cuda line"
  grep -Eq '^cudnn: compiled [0-9]+\.[0-9]+\.[0-9]+, runtime [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out" || fail "cudnn line"
  nvcc=$(sed -n 's/^CMAKE_CUDA_COMPILER:[A-Z]*=//p' "$cache")
  tk=$("$nvcc" --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
  grep -q "^cuda: toolkit $tk," <<<"$out" || fail "toolkit is not nvcc's release $tk"
else
  grep -qx 'cuda architectures: cpu only' <<<"$out" || fail "a cpu-only build must say 'cpu only'"
  grep -qx 'cuda: not built' <<<"$out" || fail "cuda line of a cpu-only build"
  grep -qx 'cudnn: not built' <<<"$out" || fail "cudnn line of a cpu-only build"
fi
if [[ $dnnl == ON ]]; then
  v=$(dpkg-query -W -f='${Version}' libdnnl-dev 2>/dev/null | sed 's/-.*//')
  grep -Eq '^onednn: [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out" || fail "onednn line"
  [[ -z $v ]] || grep -qx "onednn: $v" <<<"$out" || fail "onednn is not libdnnl-dev's $v"
else
  grep -qx 'onednn: not built' <<<"$out" || fail "onednn line of a build without oneDNN"
fi
exit $fails
