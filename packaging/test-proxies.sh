#!/usr/bin/env bash
# Checks the reverse-proxy examples for real on this machine (Debian 12,
# root): nginx (packaging/nginx/archipel.conf, with a self-signed
# certificate in place of Let's Encrypt's) and Caddy (packaging/caddy/
# Caddyfile, with Caddy's local authority in place of the ACME one) each
# put in front of `archipel serve`, then asked over HTTPS for a page and
# /health, and over HTTP for the redirect. Packages it had to install are
# purged at the end; it needs ports 80, 443 and 8080 free.
#
# Usage: packaging/test-proxies.sh [ARCHIPEL_BINARY]   (default: target/debug/archipel)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/debug/archipel}")
[ "$(id -u)" = 0 ] || { echo "run as root: it installs nginx and caddy" >&2; exit 2; }
work=$(mktemp -d)
packages() { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort; }
before=$(packages)
installed=()
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  # Exactly the packages this script installed, their dependencies
  # included, configuration files too.
  mapfile -t installed < <(comm -13 <(echo "$before") <(packages))
  if [ ${#installed[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${installed[@]}" >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v caddy >/dev/null || need+=(caddy)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

"$bin" --db "$work/a.db" demo >/dev/null
"$bin" --db "$work/a.db" serve --public-url https://archipel.example.fr >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:8080/health >/dev/null 2>&1 && break; sleep 0.1; done

check() {
  local name=$1
  local redirect page health
  redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: archipel.example.fr' http://127.0.0.1/search)
  page=$(curl -sS -k --resolve archipel.example.fr:443:127.0.0.1 -D - -o /dev/null https://archipel.example.fr/ | tr -d '\r')
  health=$(curl -sS -k --resolve archipel.example.fr:443:127.0.0.1 https://archipel.example.fr/health)
  echo "$name: http://…/search → $redirect"
  echo "$name: https://…/ → $(echo "$page" | head -1)"
  echo "$page" | grep -iE '^(strict-transport-security|content-security-policy):' | sed "s/^/$name:   /"
  echo "$name: https://…/health → $health"
  [[ $redirect == 30[18]\ https://archipel.example.fr/search ]]
  echo "$page" | head -1 | grep -q ' 200'
  echo "$page" | grep -qi '^strict-transport-security:'
  [[ $health == *'"status":"ok"'* ]]
}

# nginx, with a self-signed certificate where Let's Encrypt's would be.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=archipel.example.fr \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
sed "s#/etc/letsencrypt/live/archipel.example.fr#$work#" packaging/nginx/archipel.conf >"$work/site.conf"
cat >"$work/nginx.conf" <<EOF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http { access_log $work/nginx-access.log; include $work/site.conf; }
EOF
nginx -t -c "$work/nginx.conf"
nginx -c "$work/nginx.conf"
sleep 0.5
check nginx
kill "$(cat "$work/nginx.pid")"
sleep 0.5

# Caddy, with its local authority where the ACME one would be.
caddy validate --config packaging/caddy/Caddyfile --adapter caddyfile 2>/dev/null
{
  printf '{\n\tlocal_certs\n\tskip_install_trust\n\tadmin off\n\tstorage file_system %s/caddy\n}\n' "$work"
  cat packaging/caddy/Caddyfile
} >"$work/Caddyfile"
XDG_DATA_HOME=$work XDG_CONFIG_HOME=$work caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sk --resolve archipel.example.fr:443:127.0.0.1 -o /dev/null https://archipel.example.fr/health && break; sleep 0.1; done
check caddy
echo PASS
