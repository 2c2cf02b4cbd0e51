#!/usr/bin/env bash
# The package as a CDK user gets it: `npm pack`, then a fresh CDK app in a temporary directory that
# installs the tarball with the LOWEST aws-cdk-lib and constructs the package supports (its
# peerDependencies' lower bounds) from the registry, type-checks and synthesizes a StreamRemediator
# built from the package's main entry with the example config, with neither esbuild nor Docker
# within reach, and runs the installed `stream-medic` (--version, --help, config validate,
# simulate). Needs the npm registry and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

field() { node -p "require('./package.json').$1"; }
lowest() { node -p "require('./package.json').peerDependencies['$1'].replace(/^[\\^~>=]+/, '')"; }
CDK_LIB="$(lowest aws-cdk-lib)"
CONSTRUCTS="$(lowest constructs)"
TYPESCRIPT="$(field "devDependencies.typescript")"
TYPES_NODE="$(field "devDependencies['@types/node']")"
VERSION="$(field version)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stream-medic-pack-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "pack-smoke: packing stream-medic $VERSION"
TARBALL="$WORK/$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"

# What the tarball holds: the compiled library and CLI, the prebuilt bundles; no sources, no tests.
CONTENTS="$(tar -tzf "$TARBALL")"
for wanted in package/dist/lib/index.js package/dist/lib/index.d.ts package/dist/bin/cli.js \
  package/dist/lambda/untraced/assess/index.js package/dist/lambda/traced/assess/index.js \
  package/dist/sim/scenarios/traffic-spike-3x.json package/stream-medic.config.json \
  package/docs/config-reference.md; do
  grep -qx "$wanted" <<<"$CONTENTS" || { echo "pack-smoke: $wanted is not in the tarball" >&2; exit 1; }
done
if grep -E '^package/(test|bench|examples)/|\.ts$' <<<"$CONTENTS" | grep -v '\.d\.ts$' | head -n 5 | grep -q .; then
  echo "pack-smoke: the tarball holds sources or tests:" >&2
  grep -E '^package/(test|bench|examples)/|\.ts$' <<<"$CONTENTS" | grep -v '\.d\.ts$' | head -n 5 >&2
  exit 1
fi

APP="$WORK/app"
mkdir -p "$APP"
cd "$APP"
cat >package.json <<'JSON'
{ "name": "pack-smoke-app", "version": "1.0.0", "private": true }
JSON
echo "pack-smoke: installing the tarball with aws-cdk-lib@$CDK_LIB and constructs@$CONSTRUCTS"
npm install --no-audit --no-fund --save-exact \
  "$TARBALL" "aws-cdk-lib@$CDK_LIB" "constructs@$CONSTRUCTS" "typescript@$TYPESCRIPT" "@types/node@$TYPES_NODE"

installed() { node -p "require('$1/package.json').version"; }
[[ "$(installed aws-cdk-lib)" == "$CDK_LIB" ]] || { echo "pack-smoke: aws-cdk-lib is not $CDK_LIB" >&2; exit 1; }
# One copy of the CDK: the package brings none of its own.
if [[ -e node_modules/stream-medic/node_modules/aws-cdk-lib || -e node_modules/stream-medic/node_modules/constructs ]]; then
  echo "pack-smoke: the package installed its own aws-cdk-lib or constructs" >&2
  exit 1
fi
if [[ -e node_modules/esbuild ]]; then
  echo "pack-smoke: esbuild was installed into the app; synthesis must not need it" >&2
  exit 1
fi

cat >app.ts <<'TS'
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { StreamRemediator, type StreamRemediatorConfig } from 'stream-medic';

const exampleConfig = join(dirname(require.resolve('stream-medic/package.json')), 'stream-medic.config.json');
const config = JSON.parse(readFileSync(exampleConfig, 'utf8')) as StreamRemediatorConfig;

const app = new App();
const stack = new Stack(app, 'PackSmoke');
// The example config as it is, and one target whose stream is a construct of the app.
new StreamRemediator(stack, 'StreamMedic', { config });
const events = new kinesis.Stream(stack, 'Events', { shardCount: 2 });
new StreamRemediator(stack, 'EventsMedic', {
  config: {
    alarms: { namePrefix: 'EventsMedic' },
    targets: [{ name: 'events', mode: 'recommend', stream: { maxShards: 8 } }],
  },
  streams: { events },
});
app.synth();
TS
npx --no-install tsc --strict --skipLibCheck --module commonjs --moduleResolution node --target es2022 \
  --esModuleInterop --types node app.ts

echo "pack-smoke: synthesizing with only node on PATH (no esbuild, no docker)"
NODE_DIR="$(dirname "$(command -v node)")"
OUT="$WORK/cdk.out"
env -i HOME="$WORK" PATH="$NODE_DIR" CDK_OUTDIR="$OUT" CDK_DISABLE_CLI_TELEMETRY=true node app.js
node -e '
const t = require(process.argv[1]);
const fns = Object.values(t.Resources).filter((r) => r.Type === "AWS::Lambda::Function");
if (fns.length !== 22) throw new Error(`expected 22 functions (11 per remediator: nine tasks, run-ended and the sweep), found ${fns.length}`);
if (!fns.every((f) => f.Properties.Runtime === "nodejs22.x" && f.Properties.Code.S3Key)) throw new Error("a function is not a Node.js 22 asset");
' "$OUT/PackSmoke.template.json"
BUNDLES="$(find "$OUT" -path '*/asset.*/index.js' | wc -l)"
[[ "$BUNDLES" -ge 9 ]] || { echo "pack-smoke: expected the 9 bundles as assets, found $BUNDLES" >&2; exit 1; }

echo "pack-smoke: running the installed CLI"
[[ "$(npx --no-install stream-medic --version)" == "$VERSION" ]] || { echo "pack-smoke: stream-medic --version is not $VERSION" >&2; exit 1; }
HELP="$(npx --no-install stream-medic --help)"
grep -q '^Usage: stream-medic ' <<<"$HELP" || { echo "pack-smoke: stream-medic --help shows no usage" >&2; exit 1; }
npx --no-install stream-medic config validate "$APP/node_modules/stream-medic/stream-medic.config.json" >/dev/null
# The simulator from the package: its built-in scenarios, the workflow synthesized from the bundles.
npx --no-install stream-medic simulate --scenario traffic-spike-3x --json >"$WORK/simulate.json"
node -e 'const [s] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (s.name !== "traffic-spike-3x" || s.expectationMet !== true) throw new Error(JSON.stringify(s));' "$WORK/simulate.json"
echo "pack-smoke: ok (aws-cdk-lib $CDK_LIB, constructs $CONSTRUCTS)"
