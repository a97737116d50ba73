#!/bin/sh
# Installs (or upgrades) the appliance as a systemd service, without
# containers: creates the system user `appliance`, copies this source tree to
# /opt/appliance, builds it there (PocketBase from its Go module, hooks, UI,
# bridge; then keeps only the run-time npm packages), installs
# deploy/systemd/appliance.service and enables it. Data stays in
# /var/lib/appliance across upgrades; migrations run when the service starts.
#
#   sudo deploy/systemd/install.sh            install or upgrade, then (re)start
#   deploy/systemd/install.sh --root DIR      the same into DIR (a throw-away
#                                             root for tests; nothing is started)
#
# Needs Node >= 20.19 with npm, Go >= 1.25 and a C compiler (gcc; SQLite is
# compiled from C) on the machine that installs.
set -eu

root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a folder}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -z "$root" ] || root="$(cd "$root" && pwd)"

src="$(cd "$(dirname "$0")/../.." && pwd)"
opt="$root/opt/appliance"
unit_dir="$root/etc/systemd/system"
conf_dir="$root/etc/appliance"

say() { printf '[install] %s\n' "$*"; }
fail() { printf '[install] %s\n' "$*" >&2; exit 1; }

for tool in node npm go gcc; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (needs Node >= 20.19 with npm, Go >= 1.25 and gcc)"
done
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node $(node --version) is too old: 20.19 or newer is needed"
[ "$(id -u)" = 0 ] || [ -n "$root" ] || fail "run as root (sudo), or with --root DIR"

# the service user: no login, no home of its own (its data is the state dir)
if [ -n "$root" ]; then
  mkdir -p "$root/etc"
  for f in passwd group shadow gshadow; do [ -e "$root/etc/$f" ] || : > "$root/etc/$f"; done
  grep -q '^appliance:' "$root/etc/passwd" \
    || useradd --prefix "$root" --system --user-group --home-dir /var/lib/appliance --no-create-home --shell /usr/sbin/nologin appliance
elif ! getent passwd appliance >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/appliance --no-create-home --shell /usr/sbin/nologin appliance
fi
say "user appliance: ok"

# build in a fresh folder beside the running install, then swap, so a failed
# build leaves the installed release as it was
stage="$opt.new"
rm -rf "$stage"
mkdir -p "$stage"
say "copying $src to $opt"
tar -C "$src" \
  --exclude=./.git --exclude=./node_modules --exclude=./build --exclude=./pb_data \
  --exclude=./.svelte-kit --exclude=./bench/results --exclude='*.log' \
  -cf - . | tar -C "$stage" -xf -
say "building (npm ci, PocketBase, hooks, bridge, UI)"
(
  cd "$stage"
  npm ci --no-audit --no-fund --loglevel=error
  node scripts/build.mjs
  # run-time packages only; a fresh `npm ci` rather than `npm prune`, which
  # rewrites package-lock.json
  rm -rf node_modules
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
)
chmod -R go-w "$stage"
if [ -d "$opt" ]; then
  rm -rf "$opt.old"
  mv "$opt" "$opt.old"
fi
mv "$stage" "$opt"
rm -rf "$opt.old"
say "installed in $opt"

mkdir -p "$unit_dir" "$conf_dir"
install -m 0644 "$opt/deploy/systemd/appliance.service" "$unit_dir/appliance.service"
if [ ! -e "$conf_dir/appliance.env" ]; then
  cat > "$conf_dir/appliance.env" <<'ENV'
# Settings for appliance.service (read at start: systemctl restart appliance)
# HTTP_ADDR=0.0.0.0:8090
# LOG_LEVEL=info
# BRIDGE_HTTP=127.0.0.1:8091
ENV
  chmod 0644 "$conf_dir/appliance.env"
fi

if [ -n "$root" ]; then
  systemctl --root="$root" enable appliance.service
  say "enabled in $root (nothing started)"
  exit 0
fi
systemctl daemon-reload
systemctl enable appliance.service
if systemctl is-active --quiet appliance.service; then
  systemctl restart appliance.service
  say "restarted appliance.service on the new release"
else
  systemctl start appliance.service
  say "started appliance.service"
fi
say "open http://$(hostname -f 2>/dev/null || hostname):8090 to create the first administrator"
