#!/usr/bin/env bash
# third_party/cmake/Find{CUDNN,NCCL}.cmake on a layout like the GPU machine's, where cuDNN and NCCL come
# only from pip wheels (site-packages/nvidia/{cudnn,nccl}, versioned .so names, no unversioned link):
# a fake site-packages made of links to this machine's toolkit copies, a python3 that sees it, and
# the toolkit and system folders hidden from CMake's find_* calls. Both must be found in the wheel
# folders; without the wheel (python3 that cannot import nvidia), cuDNN must not be found.
# Needs the CUDA toolkit's cuDNN and NCCL under /usr/local/cuda; skipped (exit 77) on a machine without
# a CUDA toolkit (a laptop, a cpu box), fails where the toolkit lacks them. Ninja, as the build uses:
# a fresh machine has no make.
set -u
SRC=${AWS_SOURCE_DIR:?set AWS_SOURCE_DIR to the source tree}
CUDA=/usr/local/cuda
if [[ ! -x $CUDA/bin/nvcc ]]; then
  echo "SKIP: no CUDA toolkit at $CUDA"
  exit 77
fi
for f in "$CUDA/include/cudnn.h" "$CUDA/include/cudnn_version.h" "$CUDA/lib64/libcudnn.so.9" "$CUDA/include/nccl.h" \
         "$CUDA/lib64/libnccl.so.2"; do
  [[ -e $f ]] || { echo "FAIL: $f missing (the CUDA toolkit with cuDNN and NCCL is a build dependency)"; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
site=$TMP/site/nvidia
mkdir -p "$site/cudnn/include" "$site/cudnn/lib" "$site/nccl/include" "$site/nccl/lib" "$TMP/bin" "$TMP/nobin" "$TMP/proj"
for h in "$CUDA"/include/cudnn*.h; do ln -s "$h" "$site/cudnn/include/"; done
ln -s "$CUDA/lib64/libcudnn.so.9" "$site/cudnn/lib/"
ln -s "$CUDA/include/nccl.h" "$site/nccl/include/"
ln -s "$CUDA/lib64/libnccl.so.2" "$site/nccl/lib/"
printf '#!/bin/sh\nPYTHONPATH=%s exec /usr/bin/python3 "$@"\n' "$TMP/site" >"$TMP/bin/python3"
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >"$TMP/nobin/python3"  # no site-packages: no nvidia
chmod +x "$TMP/bin/python3" "$TMP/nobin/python3"
cat >"$TMP/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(find_wheel NONE)
list(APPEND CMAKE_MODULE_PATH $SRC/third_party/cmake)
find_package(CUDNN)
find_package(NCCL)
message(STATUS "result cudnn=\${CUDNN_LIBRARY} include=\${CUDNN_INCLUDE_DIR} version=\${CUDNN_VERSION} nccl=\${NCCL_LIBRARY}")
CMAKE
hide=(-DCMAKE_IGNORE_PREFIX_PATH="$(readlink -f $CUDA);$CUDA;/usr" -DCMAKE_IGNORE_PATH="$CUDA/lib;$CUDA/lib64;$CUDA/include")
fails=0
line=$(PATH=$TMP/bin:$PATH cmake -G Ninja -S "$TMP/proj" -B "$TMP/b1" "${hide[@]}" 2>&1 | grep 'result ')
echo "wheel layout: $line"
[[ $line == *"cudnn=$site/cudnn/lib/libcudnn.so.9 include=$site/cudnn/include version=9."* ]] || { echo "FAIL: cuDNN not taken from the wheel"; fails=1; }
[[ $line == *"nccl=$site/nccl/lib/libnccl.so.2"* ]] || { echo "FAIL: NCCL not taken from the wheel"; fails=1; }
line=$(PATH=$TMP/nobin:$PATH cmake -G Ninja -S "$TMP/proj" -B "$TMP/b2" "${hide[@]}" 2>&1 | grep 'result ')
echo "no wheel, toolkit hidden: $line"
[[ $line == *"cudnn=CUDNN_LIBRARY-NOTFOUND"* ]] || { echo "FAIL: cuDNN found although every place is hidden"; fails=1; }
exit $fails
