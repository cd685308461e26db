#!/usr/bin/env bash
# Builds the images that the tests and the demo run, with no registry: each is assembled from Debian packages on
# this machine and loaded with `docker import`. An image is rebuilt only when its recipe changes (the recipe's hash
# is kept in a label). Users who are online can point the FAULTLINE_IMAGE_* variables at images of their own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# shellcheck source=scripts/images.env
source "$ROOT/scripts/images.env"

ensure_pkg() { # ensure_pkg COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 || die "$1 is missing: install the $2 package"
  run_logged "apt-get install $2" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"
}

# image_current NAME HASH: true when NAME exists and was built from the recipe with this HASH.
image_current() {
  [[ "$(docker image inspect -f '{{index .Config.Labels "dev.faultline.recipe"}}' "$1" 2>/dev/null)" == "$2" ]]
}

# busybox: a static busybox and its applets (sh, httpd, nc, wget, ...): small peers and targets for tests.
build_busybox() {
  local name="$FAULTLINE_IMAGE_BUSYBOX"
  ensure_pkg busybox busybox-static
  local bb; bb="$(command -v busybox)"
  local hash; hash="$( (sha256sum "$bb"; declare -f build_busybox) | sha256sum | cut -c1-16)"
  if image_current "$name" "$hash"; then ok "$name is current"; return; fi
  local root; root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  cp "$bb" "$root/bin/busybox"
  # One symlink per applet, so images run `sh`, `httpd`, `nc` directly.
  for applet in $("$bb" --list); do [[ "$applet" == busybox ]] || ln -sf busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
  echo ok >"$root/www/index.html"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/bin' -c 'CMD ["sh"]' \
    -c "LABEL dev.faultline.recipe=$hash" -c 'LABEL dev.faultline.image=busybox' \
    - "$name" >/dev/null
  rm -rf "$root"
  ok "built $name"
}

# tools: Debian minbase with the programs fault helpers run inside a target's namespaces or cgroup (iptables, tc,
# stress-ng, pkill, libfaketime) and Node.js for the time-to-live reaper, which runs the same drivers as Pulumi.
TOOLS_PACKAGES=iptables,iproute2,stress-ng,procps,faketime,psmisc,nodejs,ca-certificates
build_tools() {
  local name="$FAULTLINE_IMAGE_TOOLS"
  ensure_pkg debootstrap debootstrap
  local mirror="${FAULTLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  local hash; hash="$( (declare -f build_tools; echo "$TOOLS_PACKAGES") | sha256sum | cut -c1-16)"
  if image_current "$name" "$hash"; then ok "$name is current"; return; fi
  local root; root="$(mktemp -d)"
  run_logged "debootstrap bookworm for $name (about a minute)" \
    debootstrap --variant=minbase --include="$TOOLS_PACKAGES" bookworm "$root" "$mirror"
  # Docs, manuals and apt lists are of no use in a helper image and are a third of its size.
  rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*
  run_logged "import $name" bash -c "tar -C '$root' -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD [\"bash\"]' \
    -c 'LABEL dev.faultline.recipe=$hash' -c 'LABEL dev.faultline.image=tools' - '$name' >/dev/null"
  rm -rf "$root"
  ok "built $name"
}

# toxiproxy: Shopify's Toxiproxy server, built from its Go module (static), on the busybox image's root. The demo
# system puts it in front of its dependencies; the toxiproxy faults drive its HTTP API.
TOXIPROXY_VERSION=v2.12.0
build_toxiproxy() {
  local name="$FAULTLINE_IMAGE_TOXIPROXY"
  local hash; hash="$( (declare -f build_toxiproxy; echo "$TOXIPROXY_VERSION") | sha256sum | cut -c1-16)"
  if image_current "$name" "$hash"; then ok "$name is current"; return; fi
  local bin="$FAULTLINE_CACHE/toxiproxy-$TOXIPROXY_VERSION/bin"
  if [[ ! -x "$bin/server" ]]; then
    command -v go >/dev/null 2>&1 || die "Go is needed to build Toxiproxy (https://go.dev/dl/), or set FAULTLINE_IMAGE_TOXIPROXY"
    run_logged "build toxiproxy $TOXIPROXY_VERSION" \
      env GOBIN="$bin" CGO_ENABLED=0 go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
  fi
  local root; root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for applet in sh wget nc; do ln -s busybox "$root/bin/$applet"; done
  cp "$bin/server" "$root/bin/toxiproxy"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/bin' -c 'EXPOSE 8474' -c 'CMD ["toxiproxy", "-host", "0.0.0.0"]' \
    -c "LABEL dev.faultline.recipe=$hash" -c 'LABEL dev.faultline.image=toxiproxy' - "$name" >/dev/null
  rm -rf "$root"
  ok "built $name"
}

# built_here NAME: true when NAME is one of ours (faultline/...). A name pointing elsewhere (a registry) is the
# user's own image, which Docker pulls when the demo starts; nothing is built for it.
built_here() {
  [[ "$1" == faultline/* ]] && return 0
  ok "$1 is set by the user; not built here"
  return 1
}

# demo-data: the demo's Postgres and Redis, both from one Debian image (bookworm's postgresql-15 and redis-server)
# with an entrypoint that follows the official images' contract, so FAULTLINE_IMAGE_POSTGRES=postgres:15 and
# FAULTLINE_IMAGE_REDIS=redis:7 work unchanged for users who can pull them.
DEMO_DATA_PACKAGES=postgresql-15,redis-server
build_demo_data() {
  local name="$FAULTLINE_IMAGE_DEMO_DATA"
  built_here "$name" || return 0
  ensure_pkg debootstrap debootstrap
  local mirror="${FAULTLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  local entry="$ROOT/demo/images/data/docker-entrypoint.sh"
  local hash; hash="$( (declare -f build_demo_data; echo "$DEMO_DATA_PACKAGES"; cat "$entry") | sha256sum | cut -c1-16)"
  if image_current "$name" "$hash"; then ok "$name is current"; return; fi
  local root; root="$(mktemp -d)"
  run_logged "debootstrap bookworm for $name (about a minute)" debootstrap --variant=minbase bookworm "$root" "$mirror"
  # Packages are installed in the chroot rather than with --include, so that their scripts start no server in the
  # chroot (policy-rc.d) and Debian creates no cluster of its own (the entrypoint runs initdb on first start).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.conf"
  run_logged "install ${DEMO_DATA_PACKAGES//,/ } into $name" chroot "$root" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends ${DEMO_DATA_PACKAGES//,/ }
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*
  install -m 0755 "$entry" "$root/usr/local/bin/docker-entrypoint.sh"
  run_logged "import $name" bash -c "tar -C '$root' -c . | docker import \
    -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV PGDATA=/var/lib/postgresql/data' -c 'ENTRYPOINT [\"docker-entrypoint.sh\"]' -c 'CMD [\"postgres\"]' \
    -c 'LABEL dev.faultline.recipe=$hash' -c 'LABEL dev.faultline.image=demo-data' - '$name' >/dev/null"
  rm -rf "$root"
  ok "built $name"
}

# demo-app: the demo's API and worker (demo/src), bundled by esbuild into one file each and added to the tools
# image, whose Node.js runs them. The classic builder (DOCKER_BUILDKIT=0) builds FROM a local image offline.
build_demo_app() {
  local name="$FAULTLINE_IMAGE_DEMO_APP"
  built_here "$name" || return 0
  local ctx; ctx="$(mktemp -d)"
  for entry in api worker; do
    (cd "$ROOT" && node_modules/.bin/esbuild "demo/src/$entry/main.ts" --bundle --platform=node --target=node18 \
      --format=cjs --external:pg-native --log-level=warning --outfile="$ctx/$entry.js") || die "bundling demo/src/$entry failed"
  done
  cp "$ROOT/demo/images/app/Dockerfile" "$ctx/"
  local base_id; base_id="$(docker image inspect -f '{{.Id}}' "$FAULTLINE_IMAGE_TOOLS")"
  local hash; hash="$( (declare -f build_demo_app; echo "$base_id"; cat "$ctx"/*) | sha256sum | cut -c1-16)"
  if image_current "$name" "$hash"; then ok "$name is current"; rm -rf "$ctx"; return; fi
  run_logged "build $name" env DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$FAULTLINE_IMAGE_TOOLS" \
    --label "dev.faultline.recipe=$hash" --label dev.faultline.image=demo-app -t "$name" "$ctx"
  rm -rf "$ctx"
  ok "built $name"
}

build_busybox
build_tools
build_toxiproxy
build_demo_data
build_demo_app
