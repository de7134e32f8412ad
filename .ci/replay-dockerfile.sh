#!/usr/bin/env bash
# No Docker engine runs in CI, so the Dockerfile is checked by construction and by replaying its stages:
# static checks on the file, the build stage and the runtime stage (production dependencies only) in temp folders,
# then the runtime CMD is started and the HEALTHCHECK command from the Dockerfile must pass against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dockerfile="$root/Dockerfile"

fail() { echo "Dockerfile check failed: $*" >&2; exit 1; }
grep -qE '^FROM .+ AS build$' "$dockerfile" || fail "no build stage"
grep -qE '^FROM .+ AS runtime$' "$dockerfile" || fail "no runtime stage"
grep -qE '^RUN npm ci --omit=dev' "$dockerfile" || fail "runtime stage must install production dependencies only"
grep -qE '^USER node$' "$dockerfile" || fail "must run as the non-root node user"
grep -qE '^HEALTHCHECK ' "$dockerfile" || fail "no HEALTHCHECK"
[ "$(grep -cE '^FROM ' "$dockerfile")" -eq 2 ] || fail "expected exactly two stages"

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "-- build stage"
mkdir -p "$work/build"
cp "$root/package.json" "$root/package-lock.json" "$root/tsconfig.json" "$root/tsconfig.build.json" "$work/build/"
cp -r "$root/src" "$work/build/src"
(cd "$work/build" && npm ci --no-audit --no-fund --prefer-offline >/dev/null && npm run build >/dev/null)

echo "-- runtime stage"
mkdir -p "$work/runtime/dist"
cp "$root/package.json" "$root/package-lock.json" "$root/app.yml" "$work/runtime/"
(cd "$work/runtime" && npm ci --omit=dev --no-audit --no-fund --prefer-offline >/dev/null)
cp -r "$work/build/dist/src" "$work/runtime/dist/src"
[ ! -d "$work/runtime/node_modules/jest" ] || fail "dev dependencies leaked into the runtime stage"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
key=$(node -e "console.log(require('crypto').generateKeyPairSync('rsa',{modulusLength:2048}).privateKey.export({type:'pkcs1',format:'pem'}))")
cmd_json=$(grep -E '^CMD ' "$dockerfile" | sed -E 's/^CMD //')
mapfile -t cmd < <(node -e "for (const part of JSON.parse(process.argv[1])) console.log(part)" "$cmd_json")
health_json=$(awk '/^HEALTHCHECK /{h=1} h{print} h&&!/\\$/{exit}' "$dockerfile" | grep -oE 'CMD \[.*\]' | sed -E 's/^CMD //')
mapfile -t health < <(node -e "for (const part of JSON.parse(process.argv[1])) console.log(part)" "$health_json")

# The runtime stage's ENV that changes how Node runs (the heap cap), as the image sets it.
node_options=$(grep -oE 'NODE_OPTIONS="[^"]*"' "$dockerfile" | sed -E 's/^NODE_OPTIONS="(.*)"$/\1/' || true)

echo "-- CMD: ${cmd[*]} (NODE_OPTIONS=$node_options)"
(cd "$work/runtime" && env -i PATH="$PATH" NODE_OPTIONS="$node_options" NODE_ENV=production HOST=127.0.0.1 PORT="$port" LOG_FORMAT=json LOG_LEVEL=fatal \
  APP_ID=1 PRIVATE_KEY="$key" WEBHOOK_SECRET=replay-secret "${cmd[@]}") &
server_pid=$!

for _ in $(seq 1 50); do
  if (cd "$work/runtime" && PORT="$port" "${health[@]}"); then
    echo "-- HEALTHCHECK passed on port $port"
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/github/webhooks" \
      -H 'content-type: application/json' -H 'x-github-event: ping' -H 'x-github-delivery: replay' \
      -H 'x-hub-signature-256: sha256=0000' -d '{"zen":"x"}')
    [ "$status" = "400" ] || fail "a forged webhook got HTTP $status, expected 400"
    echo "-- forged webhook refused with HTTP 400"
    exit 0
  fi
  sleep 0.2
done
fail "HEALTHCHECK never passed"
