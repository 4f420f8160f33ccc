#!/usr/bin/env bash
# The GPU code in the aws binary is what configure chose and `aws --version` says: every fatbinary
# (one per .cu file) holds exactly the sm_N cubins and compute_N PTX listed there, and a default build
# holds sm_90 code (no GPU seen at configure: sm_80 + sm_90 cubins and compute_90 PTX; `native`: the
# cubin of the GPU nvidia-smi lists). Read from the .nv_fatbin section directly (the toolkit here has
# no cuobjdump). Skipped (exit 77) for a cpu-only build.
# Env: AWS_BIN (the aws binary), AWS_BUILD_DIR (its build folder, for CMakeCache.txt).
set -u
AWS_BIN=${AWS_BIN:?set AWS_BIN to the aws binary}
BUILD=${AWS_BUILD_DIR:?set AWS_BUILD_DIR to the build folder}
claimed=$("$AWS_BIN" --version | sed -n 's/^cuda architectures: //p')
[[ -n $claimed ]] || { echo "FAIL: aws --version prints no 'cuda architectures:' line"; exit 1; }
if [[ $claimed == "cpu only" ]]; then
  echo "SKIP: cpu-only build"
  exit 77
fi
source=$(sed -n 's/^AWS_CUDA_ARCH_SOURCE:INTERNAL=//p' "$BUILD/CMakeCache.txt")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
objcopy -O binary --only-section=.nv_fatbin "$AWS_BIN" "$TMP/fatbin" || { echo "FAIL: no .nv_fatbin in $AWS_BIN"; exit 1; }
# Fatbinary layout: header {u32 magic 0xBA55ED50, u16 version, u16 header size, u64 payload size},
# then entries {u16 kind (1 PTX, 2 ELF), u16, u32 header size, u64 payload size, ..., u32 arch at 28}.
found=$(/usr/bin/python3 - "$TMP/fatbin" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
per_bin, off = [], 0
while off + 16 <= len(d):
    magic, _, hs, size = struct.unpack_from("<IHHQ", d, off)
    if magic != 0xBA55ED50:
        off += 8
        continue
    p, end, names = off + hs, off + hs + size, set()
    while p < end:
        kind, _, ehs, esize = struct.unpack_from("<HHIQ", d, p)
        arch = struct.unpack_from("<I", d, p + 28)[0]
        names.add(("sm_%d" if kind == 2 else "compute_%d") % arch)
        p += ehs + esize
    per_bin.append(" ".join(sorted(names)))
    off = end
print(len(per_bin))
for s in sorted(set(per_bin)):
    print(s)
PY
) || { echo "FAIL: could not read the fatbinaries"; exit 1; }
nbins=$(head -1 <<<"$found")
kinds=$(tail -n +2 <<<"$found")
want=$(tr ' ' '\n' <<<"$claimed" | sort | tr '\n' ' ' | sed 's/ $//')
echo "aws --version: $claimed (chosen: ${source:-?}); $nbins fatbinaries hold: $kinds"
fails=0
[[ $nbins -gt 0 ]] || { echo "FAIL: no fatbinary in $AWS_BIN"; fails=1; }
[[ $(wc -l <<<"$kinds") -eq 1 && $kinds == "$want" ]] ||
  { echo "FAIL: the fatbinaries hold '$kinds', aws --version says '$want'"; fails=1; }
case $source in
  default)
    [[ " $kinds " == *" sm_80 "* && " $kinds " == *" sm_90 "* && " $kinds " == *" compute_90 "* ]] ||
      { echo "FAIL: the default build (no GPU at configure) must hold sm_80 and sm_90 code and compute_90 PTX"; fails=1; } ;;
  native)
    cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
    [[ -z $cap || " $kinds " == *" sm_$cap "* ]] ||
      { echo "FAIL: the native build lacks sm_$cap code for this machine's GPU"; fails=1; } ;;
esac
exit $fails
