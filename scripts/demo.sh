#!/usr/bin/env bash
# The main job on a fresh machine: a real experiment on local Docker with local state.
# It starts the example system (a web server and its client on one network), injects the example-partition
# experiment with `pulumi up`, checks that the client lost the server, rolls back with `pulumi destroy`, and checks
# that the client reaches the server again, at the same address.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/images.env
source scripts/images.env

NET=faultline-example WEB=faultline-example-web CLIENT=faultline-example-client STACK=example-partition
teardown() {
  # Whatever happened, roll the fault back first, then remove the example system.
  pulumi destroy --yes --skip-preview --stack "$STACK" >/dev/null 2>&1 || true
  docker rm -f "$WEB" "$CLIENT" >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
}
trap teardown EXIT
reach() { docker exec "$CLIENT" timeout 3 wget -q -O - http://web:8080/ >/dev/null 2>&1; }

step "Example system"
teardown
docker network create --subnet 10.214.7.0/24 --label dev.faultline.role=demo "$NET" >/dev/null
docker run -d --name "$WEB" --network "$NET" --network-alias web --label dev.faultline.role=demo \
  "$FAULTLINE_IMAGE_BUSYBOX" httpd -f -p 8080 -h /www >/dev/null
docker run -d --name "$CLIENT" --network "$NET" --label dev.faultline.role=demo "$FAULTLINE_IMAGE_BUSYBOX" sleep 3600 >/dev/null
reach || die "steady state not met: $CLIENT cannot reach $WEB before any fault"
ok "steady state: $CLIENT reaches $WEB at $(docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$WEB")"

step "Preview"
pulumi stack select --create "$STACK" >/dev/null
pulumi preview --diff --stack "$STACK"

step "Inject (pulumi up)"
pulumi up --yes --skip-preview --stack "$STACK"
if reach; then die "the fault did not take effect: $CLIENT still reaches $WEB"; fi
ok "fault observed: $CLIENT cannot reach $WEB"

step "Roll back (pulumi destroy)"
pulumi destroy --yes --skip-preview --stack "$STACK"
reach || die "not recovered: $CLIENT still cannot reach $WEB after destroy"
ok "recovered: $CLIENT reaches $WEB again at $(docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$WEB")"
