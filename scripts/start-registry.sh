#!/bin/sh
# Starts Debian's docker-registry (CNCF Distribution 2.8) for the docker:// tests, unless the
# ones started before still answer, and fills them from the test images:
#   open   plain HTTP on a free port, on every interface (the tests use 127.0.0.1, and the
#          machine's non-loopback address to prove plain HTTP is refused there)
#          rigcheck/debian:amd64, rigcheck/debian:arm64, rigcheck/debian:multi-oci (OCI image
#          index) and :multi-docker (Docker manifest list) of both, written by podman manifest;
#          rigcheck/tampered:latest (busybox, its layer blob corrupted in storage, same size)
#   tls    HTTPS on 127.0.0.1 (a CA of its own: ca.pem), same storage as open
#   auth   plain HTTP on 127.0.0.1, htpasswd Basic auth (user rigcheck, a random password in
#          the file password): rigcheck/busybox:latest
#   token  plain HTTP on 127.0.0.1, Bearer token auth (Distribution `auth: token`) against
#          scripts/registry-token-server.py (same user and password): rigcheck/busybox:latest
# Where: ${RIGCHECK_REGISTRY_DIR:-${TMPDIR:-/tmp}/rigcheck-registry}; its file `registry.env`
# (OPEN=host:port TLS=… AUTH=… TOKEN=… EXTERNAL_HOST=…) is what the tests read.
set -eu
cd "$(dirname "$0")/.."
dir=${RIGCHECK_REGISTRY_DIR:-${TMPDIR:-/tmp}/rigcheck-registry}
env_file="$dir/registry.env"
CONTAINERS_CONF="$PWD/Tests/Images/podman/containers.conf"
export CONTAINERS_CONF

answers() { # answers PORT: the registry's /v2/ answers
  python3 -c 'import sys,urllib.request,urllib.error
try: urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=2)
except urllib.error.HTTPError as e: sys.exit(0 if e.code == 401 else 1)
except Exception: sys.exit(1)' "$1"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }

if [ -f "$env_file" ]; then
  . "$env_file"
  if answers "${OPEN##*:}" && answers "${AUTH##*:}" && { [ -n "${TOKEN:-}" ] && answers "${TOKEN##*:}"; } && [ -f "$dir/filled" ]; then exit 0; fi
  for pid in "$dir"/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
fi
rm -rf "$dir"
mkdir -p "$dir/storage" "$dir/auth-storage" "$dir/token-storage"
chmod 700 "$dir"

open_port=$(free_port); tls_port=$(free_port); auth_port=$(free_port); token_port=$(free_port); token_service_port=$(free_port)
external=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v ':' | grep -v '^127\.' | head -n 1 || true)

# A CA and a server certificate for 127.0.0.1 / localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=rigcheck-test-ca -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
  -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null

# The token service's signing key; its certificate is the registry's rootcertbundle.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=rigcheck-token-issuer -keyout "$dir/token.key" -out "$dir/token.pem" 2>/dev/null

password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
printf '%s' "$password" >"$dir/password"
htpasswd -Bbn rigcheck "$password" >"$dir/htpasswd" 2>/dev/null

config() { # config NAME ADDR STORAGE [EXTRA]
  cat >"$dir/$1.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $3
  cache:
    blobdescriptor: inmemory
http:
  addr: $2
  secret: rigcheck-test-$1
$4
EOF
}
config open ":$open_port" "$dir/storage" ""
config tls "127.0.0.1:$tls_port" "$dir/storage" "  tls:
    certificate: $dir/server.pem
    key: $dir/server.key"
config auth "127.0.0.1:$auth_port" "$dir/auth-storage" "auth:
  htpasswd:
    realm: rigcheck-test
    path: $dir/htpasswd"
config token "127.0.0.1:$token_port" "$dir/token-storage" "auth:
  token:
    realm: http://127.0.0.1:$token_service_port/token
    service: rigcheck-test
    issuer: rigcheck-token-issuer
    rootcertbundle: $dir/token.pem"
# Debian's python3 (python3-jwt, python3-cryptography), not whichever python3 is first on PATH.
nohup /usr/bin/python3 scripts/registry-token-server.py "$token_service_port" "$dir/token.key" "$dir/token.pem" rigcheck-token-issuer \
  rigcheck "$dir/password" >"$dir/token-service.log" 2>&1 &
echo $! >"$dir/token-service.pid"
for name in open tls auth token; do
  nohup docker-registry serve "$dir/$name.yml" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
done
i=0
until answers "$open_port" && answers "$auth_port" && answers "$token_port"; do
  i=$((i + 1))
  if [ "$i" -gt 50 ]; then echo "rigcheck: docker-registry did not come up; see $dir/*.log" >&2; exit 1; fi
  sleep 0.2
done
cat >"$env_file" <<EOF
OPEN=127.0.0.1:$open_port
TLS=127.0.0.1:$tls_port
AUTH=127.0.0.1:$auth_port
TOKEN=127.0.0.1:$token_port
EXTERNAL_HOST=$external
EOF

open="127.0.0.1:$open_port"
push() { skopeo copy --quiet --dest-tls-verify=false "$@"; }
push docker-daemon:rigcheck-test/debian-base:current "docker://$open/rigcheck/debian:amd64"
push docker-daemon:rigcheck-test/debian-arm64:current "docker://$open/rigcheck/debian:arm64"
for format in oci docker; do
  list="rigcheck-registry-multi-$format"
  podman manifest rm "$list" >/dev/null 2>&1 || true
  podman manifest create "$list" >/dev/null
  podman manifest add --tls-verify=false "$list" "docker://$open/rigcheck/debian:amd64" >/dev/null
  podman manifest add --tls-verify=false "$list" "docker://$open/rigcheck/debian:arm64" >/dev/null
  [ "$format" = oci ] && f=oci || f=v2s2
  podman manifest push --quiet --all --format "$f" --tls-verify=false "$list" "docker://$open/rigcheck/debian:multi-$format" >/dev/null
  podman manifest rm "$list" >/dev/null
done
push docker-daemon:rigcheck-test/busybox:current "docker://$open/rigcheck/tampered:latest"
for port in "$auth_port" "$token_port"; do
  push --dest-creds "rigcheck:$password" docker-daemon:rigcheck-test/busybox:current "docker://127.0.0.1:$port/rigcheck/busybox:latest"
done

# Corrupt the tampered image's layer blob in place (same size: only its digest is wrong).
layer=$(skopeo inspect --raw --tls-verify=false "docker://$open/rigcheck/tampered:latest" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"].split(":")[1])')
data="$dir/storage/docker/registry/v2/blobs/sha256/$(echo "$layer" | cut -c1-2)/$layer/data"
python3 - "$data" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as blob:
    blob.seek(100)
    byte = blob.read(1)
    blob.seek(100)
    blob.write(bytes([byte[0] ^ 0xFF]))
EOF
touch "$dir/filled"
echo "rigcheck: registries on $open (open), 127.0.0.1:$tls_port (tls), 127.0.0.1:$auth_port (auth), 127.0.0.1:$token_port (token); $env_file" >&2
