#!/usr/bin/env bash
# Packs what a lent GPU machine needs to run the benchmarks and the few-shot runner: it has no Node, no npm and
# no network. Writes .gpu/ (and .gl/, the Vulkan loader and libglvnd debs that NVIDIA's Vulkan ICD needs);
# both must be ignored by git (add "/.gpu/" and "/.gl/" to .git/info/exclude) and named in the run's carry.
#
#   bash scripts/gpu/pack.sh                     # here, once per code change (bundles) or once (the rest)
#   device run, carry [".gpu", ".gl"]:
#     bash .gpu/device.sh '$NODE $G/bench.mjs kernels --json'                  # the kernels benchmark
#     bash .gpu/device.sh 'bash .gpu/table.sh .gpu/jobs.txt 16 555'           # few-shot runs, 16 at a time; again to go on
#   where each line of jobs.txt is "<dataset> <fewshot flags>", e.g. "sst2 --k 16 --method lora --seeds 1". The runs
#   the few-shot table still lacks, most wanted first:
#     npx tsx scripts/fewshot-table.ts --missing benchmarks/fewshot-*.jsonl | head -64 > .gpu/jobs.txt
#
# The working tree plus .gpu must stay under the device's 64 MiB: node and dawn.node travel xz-compressed.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu .gl
cp scripts/gpu/device.sh scripts/gpu/table.sh .gpu/
[ -f .gpu/node.xz ] || xz -T2 -9 -c "$(command -v node)" > .gpu/node.xz

if [ ! -f .gpu/payload.tar.xz ]; then
  stage=$(mktemp -d)
  mkdir -p "$stage/node_modules/webgpu/dist/linux-x64" "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$stage/data"
  cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$stage/node_modules/webgpu/"
  cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
  cp node_modules/@tensorflow/tfjs-backend-wasm/package.json "$stage/node_modules/@tensorflow/tfjs-backend-wasm/"
  cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
  for d in sst2 subj mpqa emotion; do mkdir -p "$stage/data/$d" && cp ../shared/data/$d/train.jsonl ../shared/data/$d/test.jsonl "$stage/data/$d/"; done
  tar -C "$stage" -cf - . | xz -T2 -6 > .gpu/payload.tar.xz
  rm -rf "$stage"
fi

stage=$(mktemp -d)
node scripts/bench/bundle.mjs "$stage/bench.mjs" scripts/bench/run.ts
node scripts/bench/bundle.mjs "$stage/fewshot.mjs" scripts/fewshot.ts
xz -T2 -6 -c "$stage/bench.mjs" > .gpu/bench.mjs.xz
xz -T2 -6 -c "$stage/fewshot.mjs" > .gpu/fewshot.mjs.xz
rm -rf "$stage"

if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d); mkdir -p "$lists/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${o[@]}" update >/dev/null
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
fi
du -sh .gpu .gl
