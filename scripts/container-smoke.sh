#!/usr/bin/env bash
# Builds Dockerfile.gpu and checks the image end to end: it starts on a tiny synthetic bundle, answers /ping, and
# speaks one signed synthesis for a voice it fetches from a stand-in gateway on the host.
#
#   bash scripts/container-smoke.sh           # needs Docker and an NVIDIA GPU with the container toolkit
#   SMOKE_CPU=1 bash scripts/container-smoke.sh   # the same image on the CPU provider (any Docker host)
#
# Run from a checkout after `npm install` (the script builds the bundle and the stub with the project's Node).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec npx --no-install node scripts/container-smoke.ts "$@"
