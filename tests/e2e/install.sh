#!/usr/bin/env bash
# `cmake --install` puts the engine under a prefix: bin/aws runs (--version), the libraries and their
# headers are there and usable (a small program found through find_package(aws CONFIG) builds against
# the installed tree alone and augments a batch), and (where the module is built) `import awsaug`
# works from the installed folder alone, outside the build tree. Env: AWS_BUILD_DIR (the build folder).
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
# A consumer of the installed package (nothing of the source or build tree on its paths).
mkdir -p "$prefix/consumer"
cat > "$prefix/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.24)
project(consumer LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(aws CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE aws::aws_augment)
CMAKE
cat > "$prefix/consumer/main.cpp" <<'CPP'
#include <cstdio>
#include <vector>
#include "augment/builtin_policies.h"
#include "augment/pipeline.h"
int main() {
  using namespace aws;
  Ctx ctx(Device::cpu, 1);
  std::vector<uint8_t> px(2 * 8 * 8 * 3, 100);
  std::vector<int32_t> idx = {0, 1};
  std::vector<float> out(px.size());
  Tensor im(px.data(), Shape{2, 8, 8, 3}, DType::u8), ti(idx.data(), Shape{2}, DType::i32);
  Tensor to(out.data(), Shape{2, 8, 8, 3}, DType::f32);
  augment_batch(ctx, make_augment_plan(builtin_policy("crop-flip"), 8, 8, 3, Normalization{}),
                {.images = im, .indices = ti, .key = train_epoch_key(1, 0), .out = to});
  std::printf("consumer: %zu values, first %.4f\n", out.size(), out[0]);
  return 0;
}
CPP
if ! { cmake -S "$prefix/consumer" -B "$prefix/consumer/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
         -DCMAKE_BUILD_TYPE=Release > "$prefix/consumer.log" 2>&1 &&
       cmake --build "$prefix/consumer/build" >> "$prefix/consumer.log" 2>&1 &&
       "$prefix/consumer/build/consumer"; }; then
  fail "a program linked against the installed package: $(tail -5 "$prefix/consumer.log")"
fi
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
