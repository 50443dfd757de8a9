#!/usr/bin/env bash
# Build bench/device/payload/ (gitignored, < 64 MiB) for an offline GPU machine: a gzipped Node
# binary, the compiled JS of exactly the files the device run loads (recorded by a --dry run here),
# the addon source with Node-API headers, and the PyTorch peer. Then, on the device, from the repo
# root: `bash bench/device/payload/run.sh` (the `run` tool carries bench/device/payload).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/device/payload
APP=$OUT/app
rm -rf "$OUT" .scratch/device-dist
mkdir -p "$APP" .scratch
# 1. Compile TypeScript to plain JS (the device has no ts-node).
npx tsc -p . --outDir .scratch/device-dist --noEmit false --declaration false --sourceMap false >/dev/null
# 2. Record the module closure of a dry run (native backend on CPU here, tiny model).
cat > .scratch/device-dist/record.js <<'JS'
const path = require("path");
process.on("exit", () => {
  require("fs").writeFileSync(process.env.RECORD_TO, Object.keys(require.cache).join("\n"));
});
const entry = path.resolve(process.argv[2]);
process.argv.splice(1, 1);
require(entry);
JS
mkdir -p .scratch/device-dist/native && ln -sfn "$PWD/native/torch_backend" .scratch/device-dist/native/torch_backend
ln -sfn "$PWD/node_modules" .scratch/device-dist/node_modules
NANOMORPH_QUIET=1 RECORD_TO=.scratch/device-closure.txt node .scratch/device-dist/record.js .scratch/device-dist/bench/device/simclr_gpu.js --dry >/dev/null
# 3. Copy the closure: compiled project files and the node_modules files actually loaded (+ their package.json).
ROOT_DIST="$(cd .scratch/device-dist && pwd -P)"
ROOT_NM="$(cd node_modules && pwd -P)"
while read -r f; do
  case "$f" in
    "$ROOT_DIST"/*) rel="${f#"$ROOT_DIST"/}" ;;
    "$ROOT_NM"/*) rel="node_modules/${f#"$ROOT_NM"/}" ;;
    *) continue ;;
  esac
  case "$rel" in *.node) continue ;; esac
  mkdir -p "$APP/$(dirname "$rel")"; cp "$f" "$APP/$rel"
  # package.json of the enclosing package (for "main"/exports resolution and version reads)
  d="$(dirname "$f")"
  while [ "$d" != "/" ] && [ ! -f "$d/package.json" ]; do d="$(dirname "$d")"; done
  if [ -f "$d/package.json" ]; then
    case "$d" in
      "$ROOT_NM"/*) prel="node_modules/${d#"$ROOT_NM"/}"; mkdir -p "$APP/$prel"; cp "$d/package.json" "$APP/$prel/" ;;
    esac
  fi
done < .scratch/device-closure.txt
cp package.json "$APP/"
# wasm binaries are loaded by fs, not require (the picker imports the wasm backend even when unused).
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$APP/node_modules/@tensorflow/tfjs-backend-wasm/dist/" 2>/dev/null || true
# 4. Addon source, its build script, Node-API + node-addon-api headers, the PyTorch peer.
mkdir -p "$APP/native/torch_backend/src" "$APP/native/torch_backend/node-api" "$APP/node_modules/node-addon-api" "$APP/bench/peers"
cp native/torch_backend/build.js "$APP/native/torch_backend/"
cp native/torch_backend/src/*.cc "$APP/native/torch_backend/src/"
NODE_INC="$(dirname "$(readlink -f "$(command -v node)")")/../include/node"
[ -f "$NODE_INC/node_api.h" ] || NODE_INC=/usr/include/node
cp "$NODE_INC"/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h} "$APP/native/torch_backend/node-api/"
cp node_modules/node-addon-api/{package.json,napi.h,napi-inl.h,napi-inl.deprecated.h} "$APP/node_modules/node-addon-api/"
cp bench/peers/ssl_resnet.py "$APP/bench/peers/"
cp bench/device/run.sh "$OUT/run.sh"
# 5. Node itself (same major as here; glibc >= 2.28).
gzip -c "$(readlink -f "$(command -v node)")" > "$OUT/node.gz"
du -sh "$OUT" "$OUT/node.gz" "$APP"
echo "payload ready: $(find "$APP" -type f | wc -l) files"
