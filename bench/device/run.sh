#!/usr/bin/env bash
# On the GPU machine (no network), from the repo root: build the addon against the installed
# PyTorch, run ResNet50 SimCLR 224² batch 64 on our native-cuda backend and on PyTorch on the same
# GPU, print both JSON lines and the ratio. Budget: about 8 minutes (build ~2-4, each run ~1).
# CPU smoke test of the payload: DEVICE_BACKEND=native-cpu PEER_DEVICE=cpu DRY=1 BATCH=2 REPEATS=1 bash run.sh
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
APP="$HERE/app"
OUT="${OUT:-/tmp/nanomorph-device}"
mkdir -p "$OUT"
BATCH="${BATCH:-64}"
PY="${NANOMORPH_PYTHON:-python3}"
[ -x "$HERE/node" ] || { gunzip -c "$HERE/node.gz" > "$HERE/node"; chmod +x "$HERE/node"; }
NODE="$HERE/node"
echo "== node $("$NODE" --version); $("$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))')"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "== building the addon (one job)"
t0=$SECONDS
( cd "$APP" && NANOMORPH_NATIVE_STRICT=1 NANOMORPH_PYTHON="$PY" NODE_API_INCLUDE="$APP/native/torch_backend/node-api" \
  timeout 300 "$NODE" native/torch_backend/build.js ) 2>&1 | tail -20 | tee "$OUT/build.log"
echo "build: $((SECONDS - t0)) s"
[ -f "$APP/native/torch_backend/build/nanomorph_torch.node" ] || { echo "addon not built"; exit 1; }
# libtorch_cuda etc. must be found at run time (rpath is set; LD_LIBRARY_PATH as a fallback).
TORCH_LIB="$("$PY" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
export LD_LIBRARY_PATH="$TORCH_LIB:${LD_LIBRARY_PATH:-}"
# DRY (the CPU smoke) runs resnet8 64² on both sides, so even its ratio compares the same step.
if [ -n "${DRY:-}" ]; then ARCH=resnet8; SIZE=64; else ARCH=resnet50; SIZE=224; fi
echo "== nanomorph ${DEVICE_BACKEND:-native-cuda}, $ARCH SimCLR ${SIZE}x$SIZE batch $BATCH"
( cd "$APP" && NANOMORPH_BACKEND="${DEVICE_BACKEND:-native-cuda}" NANOMORPH_QUIET=0 timeout 240 "$NODE" bench/device/simclr_gpu.js --batch "$BATCH" --repeats "${REPEATS:-3}" --warmup 1 ${DRY:+--dry} ) \
  > "$OUT/ours.json" 2> "$OUT/ours.err"; echo "rc $?"; tail -8 "$OUT/ours.err"; cat "$OUT/ours.json"
echo "== PyTorch on the same device (${PEER_DEVICE:-cuda}), $ARCH ${SIZE}x$SIZE batch $BATCH"
( cd "$APP" && timeout 180 "$PY" bench/peers/ssl_resnet.py --mode train --arch "$ARCH" --size "$SIZE" --batch "$BATCH" --threads "$(nproc)" --device "${PEER_DEVICE:-cuda}" --repeats "${REPEATS:-3}" --warmup 1 ) \
  > "$OUT/peer.json" 2> "$OUT/peer.err"; echo "rc $?"; tail -3 "$OUT/peer.err"; cat "$OUT/peer.json"
"$PY" - "$OUT/ours.json" "$OUT/peer.json" <<'PYX'
import json, sys
try:
    o, p = (json.loads(open(f).read().strip().splitlines()[-1]) for f in sys.argv[1:3])
    print(f"== ours {o['ms']:.0f} ms, PyTorch {p['ms']:.0f} ms, ratio {o['ms'] / p['ms']:.2f} (PyTorch CUDA peak {p.get('cuda_peak_mb')} MB)")
except Exception as e:
    print("== no ratio:", e)
PYX
