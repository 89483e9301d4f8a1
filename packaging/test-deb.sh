#!/usr/bin/env bash
# Builds the Debian package, installs it with dpkg on this machine (Debian
# 12, as root), starts the installed binary exactly as the systemd unit
# would (its ExecStart line, as its User, in its WorkingDirectory, with its
# UMask and EnvironmentFile, without new privileges) and checks that it
# serves /health; takes a backup with the installed binary while it runs;
# then purges the package and what the test created, so that the machine is
# left as it was. systemd itself need not run (containers, CI): the unit's
# sandboxing directives are checked by `systemd-analyze verify` only.
#
# Usage: packaging/test-deb.sh [--no-build] [--keep]
#   --no-build  package target/dist/archipel as it is
#   --keep      leave the package installed
set -euo pipefail
cd "$(dirname "$0")/.."

build=1 keep=0
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--no-build] [--keep]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root: it installs a package" >&2; exit 2; }
if dpkg -s archipel >/dev/null 2>&1; then
  echo "archipel is already installed here; remove it first (dpkg -P archipel)" >&2
  exit 2
fi
existing_user=0
getent passwd archipel >/dev/null && existing_user=1

step() { printf '\n== %s\n' "$*"; }

target=${CARGO_TARGET_DIR:-target}
if [ "$build" = 1 ]; then
  step "build (cargo build --profile dist, cargo deb)"
  command -v cargo-deb >/dev/null || cargo install cargo-deb --locked
  cargo build --locked --profile dist -p archipel
fi
cargo deb -p archipel --profile dist --no-build --no-strip -o "$target/debian/" >/dev/null
deb=$(ls -t "$target"/debian/archipel_*.deb | head -1)
echo "$deb ($(stat -c %s "$deb") bytes)"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $1, $6}'

server=""
cleanup() {
  set +e
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -f /etc/default/archipel
  if [ "$keep" = 0 ]; then
    step "purge"
    dpkg -P archipel
    rm -rf /var/lib/archipel
    [ "$existing_user" = 0 ] && getent passwd archipel >/dev/null && userdel archipel
    for p in /usr/bin/archipel /etc/archipel /lib/systemd/system/archipel.service /var/lib/archipel; do
      [ -e "$p" ] && echo "left behind: $p"
    done
    getent passwd archipel >/dev/null && [ "$existing_user" = 0 ] && echo "left behind: user archipel"
    echo "machine clean"
  fi
}
trap cleanup EXIT

step "dpkg -i"
dpkg -i "$deb"
unit=/lib/systemd/system/archipel.service
[ -f "$unit" ] || unit=/usr/lib/systemd/system/archipel.service
echo "unit: $unit"
echo "user: $(getent passwd archipel)"
echo "data: $(stat -c '%U:%G %a' /var/lib/archipel) /var/lib/archipel; $(ls /var/lib/archipel)"
echo "config: $(stat -c '%U:%G %a' /etc/archipel/archipel.toml) /etc/archipel/archipel.toml"
echo "conffiles: $(dpkg-query -W -f='${Conffiles}' archipel | xargs)"
echo "binary: $(file -b /usr/bin/archipel | cut -d, -f1-2), $(stat -c %s /usr/bin/archipel) bytes"
echo "ldd:"; ldd /usr/bin/archipel | sed 's/ (0x[0-9a-f]*)//; s/^/  /'
if ldd /usr/bin/archipel | grep -qE 'libssl|libcrypto'; then
  echo "FAIL: the binary links OpenSSL" >&2; exit 1
fi
/usr/bin/archipel --version
step "systemd-analyze verify"
systemd-analyze verify "$unit" && echo "unit verified"

# What the unit says.
field() { sed -n "s/^$1=//p" "$unit" | tail -1; }
exec_start=$(field ExecStart)
user=$(field User)
group=$(field Group)
workdir=$(field WorkingDirectory)
umask_value=$(field UMask)
echo "ExecStart=$exec_start"
echo "User=$user Group=$group WorkingDirectory=$workdir UMask=$umask_value"

# A free port, given through the unit's EnvironmentFile (which also shows
# that variables override the configuration file).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "ARCHIPEL_ADDR=127.0.0.1:$port" > /etc/default/archipel

step "start as the unit does"
log=$(mktemp)
(
  cd "$workdir"
  umask "$umask_value"
  set -a; . /etc/default/archipel; set +a
  # shellcheck disable=SC2086
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ARCHIPEL_ADDR="$ARCHIPEL_ADDR" \
    setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs -- $exec_start
) >"$log" 2>&1 &
server=$!
health=""
for _ in $(seq 1 100); do
  health=$(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null) && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
echo "server log:"; sed 's/^/  /' "$log"
echo "process: $(ps -o user=,group=,cmd= -p "$server" 2>/dev/null || echo gone)"
echo "GET /health → $health"
case "$health" in
  *'"status":"ok"'*) echo "health ok" ;;
  *) echo "FAIL: /health did not answer ok" >&2; exit 1 ;;
esac
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
echo "GET / → $code"
[ "$code" = 200 ]

step "backup while it serves (as $user)"
runuser -u "$user" -- /usr/bin/archipel --config /etc/archipel/archipel.toml \
  backup /var/lib/archipel/test-backup.db --json
rm -f /var/lib/archipel/test-backup.db

step "stop (SIGTERM, as systemd stops it)"
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=""
echo "exit status $status"; tail -1 "$log" | sed 's/^/  /'
rm -f "$log"
[ "$status" = 0 ]
echo "PASS"
