#!/usr/bin/env bash
# The browser tests and the WebGPU-in-Node tests need Debian's Chromium (its SwiftShader Vulkan driver gives
# WebGPU without a GPU). Playwright's own browser download cannot work here, so we install Debian's package.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium (needed by the browser and WebGPU tests)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  exit 0
fi
echo "Chromium is missing. Install it, then run the tests again:" >&2
echo "  sudo apt-get update && sudo apt-get install -y chromium chromium-driver" >&2
exit 1
