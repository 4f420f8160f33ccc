#!/usr/bin/env bash
# `cmake --install` puts the engine under a prefix: bin/aws runs (--version), the libraries and their
# headers are there, and (where the module is built) `import awsaug` works from the installed folder
# alone, outside the build tree. Env: AWS_BUILD_DIR (the build folder).
set -u
BUILD=${AWS_BUILD_DIR:?set AWS_BUILD_DIR to the build folder}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/aws-install-test.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
cmake --install "$BUILD" --prefix "$prefix" >/dev/null || { echo "FAIL: cmake --install exited $?"; exit 1; }
fails=0
fail() { echo "FAIL: $*"; fails=1; }
"$prefix/bin/aws" --version >/dev/null || fail "installed aws --version"
for lib in core engine models augment train search; do
  [ -f "$prefix/lib/libaws_$lib.a" ] || fail "lib/libaws_$lib.a missing"
done
for h in core/tensor.h engine/ops/conv2d.h kernels/conv2d.h augment/pipeline.h train/trainer.h; do
  [ -f "$prefix/include/aws/$h" ] || fail "include/aws/$h missing"
done
if grep -q '^AWS_PYTHON:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  (cd "$prefix" && PYTHONPATH="$(echo "$prefix"/lib/python3.*/dist-packages)" /usr/bin/python3 -c \
    "import awsaug, numpy as np; b = awsaug.Augmenter('crop-flip').aug(np.zeros((2, 8, 8, 3), np.uint8), [0, 1], 0); \
assert np.from_dlpack(b).shape == (2, 8, 8, 3); print('awsaug from', awsaug.__file__)") ||
    fail "import awsaug from the installed folder"
  case $(PYTHONPATH="$(echo "$prefix"/lib/python3.*/dist-packages)" /usr/bin/python3 -c 'import awsaug; print(awsaug.__file__)') in
    "$prefix"/*) ;;
    *) fail "awsaug was imported from outside the prefix" ;;
  esac
fi
[ $fails -eq 0 ] && echo "install: ok under $prefix"
exit $fails
