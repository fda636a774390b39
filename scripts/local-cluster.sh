#!/usr/bin/env bash
# A local 3-node NATS JetStream cluster for the default program (and for
# trying the examples): start | stop | status | env.
#
# Servers listen on 127.0.0.1 only, with a user/password whose password is
# generated once and kept in .cache/local-cluster/password. Ports start at
# LOCAL_NATS_PORT (default 4222: clients 4222-4224, routes 6222-6224,
# monitoring 8222-8224).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/local-cluster"
base="${LOCAL_NATS_PORT:-4222}"
server="$root/.cache/bin/nats-server"
[ -x "$server" ] || server="$(command -v nats-server || true)"

die() { echo "local-cluster: $*" >&2; exit 1; }
client_port() { echo $((base + $1 - 1)); }
route_port() { echo $((base + 2000 + $1 - 1)); }
monitor_port() { echo $((base + 4000 + $1 - 1)); }
urls() { echo "nats://127.0.0.1:$(client_port 1),nats://127.0.0.1:$(client_port 2),nats://127.0.0.1:$(client_port 3)"; }

running() { [ -f "$dir/n$1.pid" ] && kill -0 "$(cat "$dir/n$1.pid")" 2>/dev/null; }

write_config() { # node number
  local n=$1 routes=""
  for m in 1 2 3; do [ "$m" = "$n" ] || routes+="    nats-route://127.0.0.1:$(route_port "$m")\n"; done
  mkdir -p "$dir/n$n"
  printf '%b' "server_name: local-n$n
listen: 127.0.0.1:$(client_port "$n")
http: 127.0.0.1:$(monitor_port "$n")
jetstream {
  store_dir: \"$dir/n$n\"
  max_file_store: 20GB
  max_memory_store: 1GB
}
cluster {
  name: local
  listen: 127.0.0.1:$(route_port "$n")
  routes: [
$routes  ]
}
include ./auth.conf
" > "$dir/n$n.conf"
}

start() {
  [ -n "$server" ] || die "nats-server not found: run bash scripts/install-nats.sh"
  mkdir -p "$dir"
  [ -f "$dir/password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
  printf 'authorization { users: [ { user: app, password: "%s" } ] }\n' "$(cat "$dir/password")" > "$dir/auth.conf"
  chmod 600 "$dir/password" "$dir/auth.conf"
  for n in 1 2 3; do
    if running "$n"; then continue; fi
    for p in "$(client_port "$n")" "$(route_port "$n")" "$(monitor_port "$n")"; do
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && die "port $p is in use: stop what uses it, or set LOCAL_NATS_PORT"
    done
    write_config "$n"
    nohup "$server" -c "$dir/n$n.conf" > "$dir/n$n.log" 2>&1 &
    echo $! > "$dir/n$n.pid"
  done
  # Ready when JetStream answers with a meta leader.
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$(monitor_port 1)/jsz" 2>/dev/null | grep -q '"leader"'; then
      echo "local-cluster: 3 servers up at $(urls) (JetStream meta leader elected)"
      return
    fi
    sleep 0.2
  done
  die "the cluster did not elect a JetStream meta leader; see $dir/n*.log"
}

stop() {
  for n in 1 2 3; do
    if running "$n"; then kill "$(cat "$dir/n$n.pid")"; fi
    rm -f "$dir/n$n.pid"
  done
  echo "local-cluster: stopped (data kept in $dir; delete it to start empty)"
}

status() {
  for n in 1 2 3; do
    if running "$n"; then echo "n$n running (pid $(cat "$dir/n$n.pid"))"; else echo "n$n stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  urls) urls ;;
  password) cat "$dir/password" ;;
  *) die "usage: $0 start|stop|status|urls|password" ;;
esac
