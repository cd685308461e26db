#!/usr/bin/env bash
# The runner examples' tiny system: two busybox web servers ("web" and "other") on one network, published on fixed
# loopback ports (a fault that disconnects a container gets the same port back on reconnect only when it is fixed).
#   bash scripts/example-system.sh up     # start it
#   bash scripts/example-system.sh down   # remove it
# Then: npm run faultline -- plan example-runner-held ; npm run faultline -- run example-runner-held
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/images.env
source "$ROOT/scripts/images.env"
NET=faultline-runner-example
down() {
  docker rm -f faultline-runner-web faultline-runner-other >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
}
case "${1:-up}" in
  down) down ;;
  up)
    down
    docker network create --subnet 10.214.9.0/24 --label dev.faultline.role=demo "$NET" >/dev/null
    for pair in web:18080 other:18081; do
      name="${pair%%:*}" port="${pair##*:}"
      # chaos.opt-in: the policy pack only lets faults hit containers their owners opted in.
      docker run -d --name "faultline-runner-$name" --network "$NET" --network-alias "$name" --label dev.faultline.role=demo \
        --label chaos.opt-in=true \
        -p "127.0.0.1:$port:8080" "$FAULTLINE_IMAGE_BUSYBOX" \
        sh -c 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
    done
    echo "web on http://127.0.0.1:18080/, other on http://127.0.0.1:18081/"
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
