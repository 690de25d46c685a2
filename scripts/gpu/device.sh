#!/usr/bin/env bash
# On a lent GPU machine, from the repo root (see scripts/gpu/pack.sh): installs the carried Vulkan loader and
# libglvnd debs, points Vulkan at NVIDIA's driver, unpacks node, the webgpu package, the datasets and the bundles
# into $G, then runs the command given ("$@") with $NODE and $G set.
set -e
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && { export VK_ICD_FILENAMES=$icd VK_DRIVER_FILES=$icd; break; }
done
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-none}"; cat "$VK_ICD_FILENAMES" 2>/dev/null | head -20
lib=$(ldconfig -p | grep -m1 libGLX_nvidia.so.0 | awk '{print $NF}'); echo "libGLX_nvidia: $lib"; [ -n "$lib" ] && ldd "$lib" | grep -i "not found" || true
export G=/tmp/g NODE=/tmp/g/node
mkdir -p $G && xz -dc .gpu/node.xz > $NODE && chmod +x $NODE && tar -C $G -xJf .gpu/payload.tar.xz
for b in .gpu/*.mjs.xz; do xz -dc "$b" > $G/$(basename "$b" .xz); done
$NODE --version; nvidia-smi -L || true; nproc
eval "$@"
