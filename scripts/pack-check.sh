#!/usr/bin/env bash
# Issue #19's install-as-a-user check (scripts/pack-check/run.mjs says what it
# does): packs every published package, installs the tarballs into fresh npm
# projects under /tmp with third-party packages from the npm registry, and
# runs them there. Needs a build (pnpm build) and the registry; exits 1 with
# one line saying why otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/pack-check/run.mjs "$@"
