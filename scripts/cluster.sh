#!/usr/bin/env bash
# A local single-node Kubernetes cluster for faultline's Kubernetes faults and tests, or the user's own.
#   cluster.sh up      when the user's KUBECONFIG reaches a cluster (and FAULTLINE_CLUSTER is not "local"), use it;
#                      otherwise build (cached, scripts/setup-k8s.sh) and start etcd, the control plane, a separate
#                      containerd, a kubelet + kube-proxy and kube-router's NetworkPolicy controller, wait until the
#                      node is Ready and label it chaos.opt-in=true (faults only touch opted-in nodes). Idempotent.
#   cluster.sh down    stops everything `up` started, by the PIDs it recorded, and removes its mounts, cgroups,
#                      iptables chains, ipsets, nftables tables, bridge and address. dockerd and its containers are never
#                      touched. Idempotent.
#   cluster.sh status  prints what runs and the kubeconfig.
#   cluster.sh leftovers  prints anything of the local cluster still on the host (exit 1 when there is some).
# Everything lives in .faultline/cluster; the kubeconfig is .faultline/cluster/kubeconfig.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# shellcheck source=scripts/images.env
source "$ROOT/scripts/images.env"

K8S_VERSION="${FAULTLINE_K8S_VERSION:-1.34.4}"
BIN="$FAULTLINE_CACHE/k8s-v$K8S_VERSION/bin"
S="${FAULTLINE_CLUSTER_DIR:-$ROOT/.faultline/cluster}"
NODE="${FAULTLINE_NODE_NAME:-faultline-node}"
# The node's address is an extra address on lo: this kernel cannot create dummy interfaces. Not loopback, so that
# pods can reach the API server and Services through it.
NODE_IP="${FAULTLINE_NODE_IP:-10.213.213.1}"
POD_CIDR="${FAULTLINE_POD_CIDR:-10.244.0.0/16}"
NODE_POD_CIDR="${POD_CIDR%.*/*}.0/24"
SERVICE_CIDR="${FAULTLINE_SERVICE_CIDR:-10.96.0.0/16}"
API_PORT="${FAULTLINE_API_PORT:-6443}"
ETCD_PORT="${FAULTLINE_ETCD_PORT:-2479}"
BRIDGE=flcni0
CHAOS_MESH_PID="$ROOT/.faultline/chaos-mesh/controller-manager.pid"
KUBE_ROUTER="$FAULTLINE_CACHE/kube-router-v${FAULTLINE_KUBE_ROUTER_VERSION:-2.1.0}/bin/kube-router"
SOCK="$S/containerd/containerd.sock"
# Images the tests and faults run: the project's offline images, moved from Docker into the cluster's containerd.
FAULTLINE_IMAGE_PAUSE="${FAULTLINE_IMAGE_PAUSE:-faultline/pause:1}"
FAULTLINE_IMAGE_KUBECTL="${FAULTLINE_IMAGE_KUBECTL:-faultline/kubectl:1}"
IMAGES=("$FAULTLINE_IMAGE_PAUSE" "$FAULTLINE_IMAGE_KUBECTL" "$FAULTLINE_IMAGE_BUSYBOX" "$FAULTLINE_IMAGE_TOOLS")
KUBECTL=("$BIN/kubectl" --kubeconfig "$S/kubeconfig")
CTR=(ctr --address "$SOCK" -n k8s.io)

# has_addr: true when lo carries the node's address. (No `| grep -q` under pipefail: grep's early exit fails the pipe.)
has_addr() { [[ "$(ip -o addr show dev lo)" == *" $NODE_IP/32 "* ]]; }

# alive NAME: true when the process recorded for NAME runs.
alive() { [[ -f "$S/pids/$1" ]] && kill -0 "$(cat "$S/pids/$1")" 2>/dev/null; }

# start NAME CMD...: starts CMD in its own session with its log in $S/logs, records its PID; no-op when it runs.
start() {
  local name="$1"; shift
  if alive "$name"; then ok "$name runs (pid $(cat "$S/pids/$name"))"; return; fi
  mkdir -p "$S/pids" "$S/logs"
  setsid "$@" >>"$S/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$S/pids/$name"
  ok "$name started (pid $!, log $S/logs/$name.log)"
}

# write_file FILE: writes stdin to FILE only when it differs, so that a second `up` leaves a running component's
# configuration untouched (kube-proxy exits when its configuration file changes).
write_file() {
  local tmp; tmp="$(mktemp)"; cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# wait_for WHAT SECONDS CMD...: polls CMD every 0.2 s until it succeeds, or fails naming WHAT and the log to read.
wait_for() {
  local what="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what not ready after ${limit}s; see $S/logs/"
    sleep 0.2
  done
}

user_cluster() {
  [[ "${FAULTLINE_CLUSTER:-}" == local ]] && return 1
  [[ -n "${KUBECONFIG:-}" || -f "$HOME/.kube/config" ]] || return 1
  [[ "${KUBECONFIG:-}" == "$S/kubeconfig" ]] && return 1
  local k; k="$(command -v kubectl || echo "$BIN/kubectl")"
  "$k" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

certs() {
  local p="$S/pki"
  [[ -f "$p/admin.crt" ]] && return
  mkdir -p "$p"
  ( cd "$p"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=faultline-ca 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    local svc="${SERVICE_CIDR%.*/*}.1"
    printf 'subjectAltName=IP:%s,IP:127.0.0.1,IP:%s,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' \
      "$NODE_IP" "$svc" >san.ext
    sign() { # sign NAME SUBJECT [EXTFILE]
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 ${3:+-extfile "$3"} 2>/dev/null
      rm -f "$1.csr"
    }
    sign apiserver /CN=kube-apiserver san.ext
    # One client identity for the node's components and the user: a throwaway local cluster, not a shared one.
    sign admin "/O=system:masters/CN=faultline-admin"
  )
  ok "certificates in $p"
}

kubeconfig() {
  write_file "$S/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: faultline
  cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$S/pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$S/pki/admin.crt", client-key: "$S/pki/admin.key"}
contexts:
- name: faultline
  context: {cluster: faultline, user: admin}
current-context: faultline
EOF
}

control_plane() {
  has_addr || ip addr add "$NODE_IP/32" dev lo
  start etcd etcd --name faultline --data-dir "$S/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "faultline=http://127.0.0.1:$((ETCD_PORT + 1))"
  local p="$S/pki"
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC --allow-privileged=true \
    --client-ca-file "$p/ca.crt" --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
    --kubelet-client-certificate "$p/admin.crt" --kubelet-client-key "$p/admin.key" --kubelet-preferred-address-types InternalIP \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local
  wait_for "kube-apiserver" 60 "${KUBECTL[@]}" get --raw /readyz
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$S/kubeconfig" --leader-elect=false \
    --allocate-node-cidrs --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 --service-cluster-ip-range "$SERVICE_CIDR" \
    --service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" --use-service-account-credentials \
    --bind-address 127.0.0.1 --secure-port 0
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$S/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0
}

containerd_up() {
  mkdir -p "$S/containerd" "$S/cni/net.d"
  write_file "$S/containerd/config.toml" <<EOF
version = 2
root = "$S/containerd/root"
state = "$S/containerd/state"
[grpc]
  address = "$SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$S/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/$FAULTLINE_IMAGE_PAUSE"
  # The sandbox lacks CAP_SYS_RESOURCE: without this every pod fails with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$S/cni/net.d"
EOF
  # bridge + host-local for addresses; firewall because Docker leaves the FORWARD policy at DROP.
  write_file "$S/cni/net.d/10-faultline.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "faultline", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$S/cni/ipam", "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "firewall", "backend": "iptables"}
]}
EOF
  start containerd containerd --config "$S/containerd/config.toml"
  wait_for "containerd" 30 "${CTR[@]}" version
}

# images: builds the pause and kubectl images (recipe-hashed, like build-images.sh) and moves every image the
# cluster runs from Docker into its containerd, skipping those already there with the same id.
images() {
  docker image inspect "$FAULTLINE_IMAGE_BUSYBOX" "$FAULTLINE_IMAGE_TOOLS" >/dev/null 2>&1 || bash "$ROOT/scripts/build-images.sh"
  local root hash
  hash="$( (sha256sum "$ROOT/scripts/cluster/pause.go"; go version) | sha256sum | cut -c1-16)"
  if [[ "$(docker image inspect -f '{{index .Config.Labels "dev.faultline.recipe"}}' "$FAULTLINE_IMAGE_PAUSE" 2>/dev/null)" != "$hash" ]]; then
    root="$(mktemp -d)"
    (cd "$ROOT/scripts/cluster" && CGO_ENABLED=0 GOFLAGS= go build -trimpath -ldflags '-s -w' -o "$root/pause" pause.go)
    tar -C "$root" -c pause | docker import -c 'ENTRYPOINT ["/pause"]' -c "LABEL dev.faultline.recipe=$hash" - "$FAULTLINE_IMAGE_PAUSE" >/dev/null
    rm -rf "$root"; ok "built $FAULTLINE_IMAGE_PAUSE"
  fi
  hash="$( (sha256sum "$BIN/kubectl"; declare -f images) | sha256sum | cut -c1-16)"
  if [[ "$(docker image inspect -f '{{index .Config.Labels "dev.faultline.recipe"}}' "$FAULTLINE_IMAGE_KUBECTL" 2>/dev/null)" != "$hash" ]]; then
    root="$(mktemp -d)"; mkdir -p "$root/bin" "$root/tmp"
    cp "$(command -v busybox)" "$root/bin/busybox"
    for a in sh date cut grep sort head printf echo sleep cat; do ln -s busybox "$root/bin/$a"; done
    cp "$BIN/kubectl" "$root/bin/kubectl"
    # kubectl is built with cgo (the build shares its cache with the other binaries): bring its C library along.
    local lib; for lib in $(ldd "$BIN/kubectl" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
    tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["kubectl"]' -c "LABEL dev.faultline.recipe=$hash" - "$FAULTLINE_IMAGE_KUBECTL" >/dev/null
    rm -rf "$root"; ok "built $FAULTLINE_IMAGE_KUBECTL"
  fi
  local img want have missing=()
  for img in "${IMAGES[@]}"; do
    want="$(docker image inspect -f '{{.Id}}' "$img")"
    have="$("${CTR[@]}" images ls "name==docker.io/$img" 2>/dev/null | awk 'NR==2{print $3}')"
    # ctr lists the manifest digest; the config digest (Docker's image id) is recorded beside it on import.
    [[ -n "$have" && "$(cat "$S/containerd/imported-${img//[\/:]/_}" 2>/dev/null)" == "$want" ]] || missing+=("$img")
  done
  if ((${#missing[@]})); then
    run_logged "move ${missing[*]} from Docker into the cluster" bash -c 'docker save "$@" | '"${CTR[*]}"' images import -' _ "${missing[@]}"
    for img in "${missing[@]}"; do docker image inspect -f '{{.Id}}' "$img" >"$S/containerd/imported-${img//[\/:]/_}"; done
  fi
  ok "images in the cluster: ${IMAGES[*]}"
}

node_up() {
  mkdir -p "$S/kubelet"
  write_file "$S/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This VM is cgroup v1 and has no systemd.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
address: $NODE_IP
readOnlyPort: 0
healthzPort: 0
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}, x509: {clientCAFile: "$S/pki/ca.crt"}}
authorization: {mode: AlwaysAllow}
podCIDR: $NODE_POD_CIDR
resolvConf: /etc/resolv.conf
serializeImagePulls: false
# The node is the machine's disk: evict only when it is really full.
evictionHard: {memory.available: "200Mi", nodefs.available: "2%", imagefs.available: "2%"}
imageGCHighThresholdPercent: 100
EOF
  start kubelet "$BIN/kubelet" --config "$S/kubelet/config.yaml" --kubeconfig "$S/kubeconfig" \
    --root-dir "$S/kubelet" --hostname-override "$NODE" --node-ip "$NODE_IP"
  write_file "$S/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: {kubeconfig: "$S/kubeconfig"}
hostnameOverride: $NODE
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: ""
metricsBindAddress: ""
nodePortAddresses: ["$NODE_IP/32"]
# The sandbox may not write conntrack sysctls: leave them as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  start kube-proxy "$BIN/kube-proxy" --config "$S/kube-proxy.yaml"
}

# network_policy: kube-router's policy controller alone (no routing, no service proxy, no CNI config), on iptables
# and ipset, so that NetworkPolicy is enforced on the bridge CNI. It reads the node's pod CIDR, so the node must be
# registered first. Ready once its FORWARD chain is in place.
network_policy() {
  start kube-router "$KUBE_ROUTER" --kubeconfig "$S/kubeconfig" --hostname-override "$NODE" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --enable-ipv4=true --enable-ipv6=false --health-port=0 --metrics-port=0
  wait_for "kube-router (NetworkPolicy)" 60 iptables -t filter -S KUBE-ROUTER-FORWARD
}

up() {
  if user_cluster; then
    ok "using the cluster your KUBECONFIG reaches ($(kubectl config current-context 2>/dev/null || echo default)); set FAULTLINE_CLUSTER=local for a local one"
    return
  fi
  bash "$ROOT/scripts/setup-k8s.sh" cluster
  step "Local cluster ($NODE, $NODE_IP) in $S"
  local started=$SECONDS
  mkdir -p "$S"
  certs; kubeconfig
  control_plane
  containerd_up
  images
  node_up
  wait_for "node $NODE" 60 bash -c '"$@" get node "'"$NODE"'" -o jsonpath="{.status.conditions[?(@.type==\"Ready\")].status}" | grep -qx True' _ "${KUBECTL[@]}"
  # The owner's opt-in: faultline refuses to throttle a node without it (and its stress pods select it).
  "${KUBECTL[@]}" label node "$NODE" chaos.opt-in=true --overwrite >/dev/null
  network_policy
  ok "node $NODE Ready (opted in to faults, NetworkPolicy enforced) in $((SECONDS - started)) s; export KUBECONFIG=$S/kubeconfig"
}

# pids_of_ours: every process of the local cluster still alive: recorded PIDs, containerd shims started for our
# socket and their descendants (the pods' processes).
pids_of_ours() {
  local f pid
  for f in "$S"/pids/* "$CHAOS_MESH_PID"; do [[ -f "$f" ]] && pid="$(cat "$f")" && kill -0 "$pid" 2>/dev/null && echo "$pid"; done
  shim_pids
}
# shim_pids: containerd shims started for our socket (they outlive containerd) and the pods' processes below them.
shim_pids() {
  local pid
  for pid in $(pgrep -f -- "-address $SOCK" || true); do echo "$pid"; descendants "$pid"; done
}
descendants() { local c; for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done; }

stop_pid() { # stop_pid NAME: SIGTERM, up to 10 s, then SIGKILL
  alive "$1" || { rm -f "$S/pids/$1"; return 0; }
  local pid; pid="$(cat "$S/pids/$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$S/pids/$1"; ok "stopped $1 (pid $pid)"
}

down() {
  [[ -d "$S" ]] || { ok "no local cluster"; return; }
  step "Stopping the local cluster in $S"
  # Chaos Mesh's controller-manager (scripts/setup-chaos-mesh.sh up) runs on this machine against this cluster.
  if [[ -f "$CHAOS_MESH_PID" ]]; then kill -9 "$(cat "$CHAOS_MESH_PID")" 2>/dev/null || true; rm -f "$CHAOS_MESH_PID"; fi
  stop_pid kube-router; stop_pid kubelet; stop_pid kube-proxy
  # The pods: kill every task of our containerd, then the shims that outlive it.
  if alive containerd; then
    local t
    for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  fi
  stop_pid containerd
  local pids; pids="$(shim_pids | sort -u)"
  [[ -z "$pids" ]] || { kill -9 $pids 2>/dev/null || true; ok "killed leftover pod processes and shims: $(echo $pids)"; }
  stop_pid kube-scheduler; stop_pid kube-controller-manager; stop_pid kube-apiserver; stop_pid etcd
  cleanup_host
  # Objects live in etcd: a new `up` starts empty. Certificates, images and the containerd content store stay.
  rm -rf "$S/etcd" "$S/kubelet" "$S/containerd/state" "$S/cni/ipam" "$S/pids"
  ok "stopped; leftovers: $(leftovers >/dev/null && echo none || echo 'see cluster.sh leftovers')"
}

# our_mounts: mount points under the cluster's directory, and the network namespaces our containerd made, deepest first.
our_mounts() {
  awk -v s="$S" '$5 == s || index($5, s "/") == 1 || $5 ~ "^/run/netns/cni-" {print $5}' /proc/self/mountinfo | sort -r
}
# our_chains TOOL TABLE: chains the node's components make (kube-proxy/kubelet canaries, the CNI firewall plugin).
our_chains() { "$1" -t "$2" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ {print $2}'; }

# our_ipsets: the ipsets kube-router's policy controller makes (KUBE-SRC-*, KUBE-DST-*, kube-router-*, inet6:...).
our_ipsets() { ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router)' || true; }

cleanup_host() {
  local m t c tool
  for m in $(our_mounts); do umount -l "$m" 2>/dev/null || true; done
  rm -f /run/netns/cni-* 2>/dev/null || true
  for tool in iptables ip6tables; do
    for t in filter nat mangle; do
      # Jumps into our chains first, then the chains themselves.
      "$tool" -t "$t" -S 2>/dev/null | awk '$1 == "-A" && / -j (KUBE|CNI)-/' | sed 's/^-A/-D/' |
        while read -r rule; do eval "$tool -t $t $rule" 2>/dev/null || true; done
      for c in $(our_chains "$tool" "$t"); do "$tool" -t "$t" -F "$c" 2>/dev/null || true; done
      for c in $(our_chains "$tool" "$t"); do "$tool" -t "$t" -X "$c" 2>/dev/null || true; done
    done
  done
  # kube-router's ipsets, once no iptables rule refers to them.
  local set; for set in $(our_ipsets); do ipset destroy "$set" 2>/dev/null || true; done
  for t in "ip kube-proxy" "ip6 kube-proxy"; do nft delete table $t 2>/dev/null || true; done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
  if has_addr; then ip addr del "$NODE_IP/32" dev lo; fi
  # Pod cgroups (cgroupfs driver): deepest first, once their processes are gone.
  for c in /sys/fs/cgroup/*/kubepods; do
    [[ -d "$c" ]] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# leftovers: prints what of the local cluster remains on the host; exit 1 when anything does.
leftovers() {
  local out=() t tool
  local pids; pids="$(pids_of_ours 2>/dev/null | sort -u | xargs)"; [[ -z "$pids" ]] || out+=("processes: $pids")
  local mounts; mounts="$(our_mounts | xargs)"; [[ -z "$mounts" ]] || out+=("mounts: $mounts")
  for tool in iptables ip6tables; do for t in filter nat mangle; do
    local chains; chains="$(our_chains "$tool" "$t" | xargs)"; [[ -z "$chains" ]] || out+=("$tool $t chains: $chains")
  done; done
  local sets; sets="$(our_ipsets | xargs)"; [[ -z "$sets" ]] || out+=("ipsets: $sets")
  local tables; tables="$(nft list tables 2>/dev/null | grep kube-proxy | xargs || true)"; [[ -z "$tables" ]] || out+=("nftables: $tables")
  ip link show "$BRIDGE" >/dev/null 2>&1 && out+=("bridge $BRIDGE")
  has_addr && out+=("address $NODE_IP on lo")
  ls -d /sys/fs/cgroup/*/kubepods >/dev/null 2>&1 && out+=("cgroups: $(ls -d /sys/fs/cgroup/*/kubepods | xargs)")
  ((${#out[@]} == 0)) && return 0
  printf '%s\n' "${out[@]}"; return 1
}

status() {
  local n
  for n in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router; do
    alive "$n" && echo "$n: pid $(cat "$S/pids/$n")" || echo "$n: stopped"
  done
  [[ -f "$S/kubeconfig" ]] && echo "KUBECONFIG=$S/kubeconfig"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  leftovers) leftovers ;;
  *) die "usage: cluster.sh up|down|status|leftovers" ;;
esac
