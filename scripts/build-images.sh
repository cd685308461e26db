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

build_busybox
build_tools
build_toxiproxy
