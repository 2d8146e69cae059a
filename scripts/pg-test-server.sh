#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: initdb into a temporary folder, listen on a loopback port only.
# Usage: source scripts/pg-test-server.sh; start_pg_test_server; ...; stop_pg_test_server
# Exports PG_TEST_URL. Installs Debian's postgresql when no server binaries are found.

pg_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

start_pg_test_server() {
  if ! pg_bindir >/dev/null; then
    echo "Installing Debian's postgresql"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  local bin
  bin=$(pg_bindir)
  PG_TEST_DIR=$(mktemp -d /tmp/maatwerk-pg.XXXXXX)
  # Below the kernel's ephemeral range (32768-60999 on Debian): a port there may be held for a moment by
  # any outgoing connection or by a test server on port 0 (a CI run once found 55432 taken). If the
  # port is taken anyway, the next ones are tried.
  PG_TEST_PORT=${PG_TEST_PORT:-25432}
  # The server refuses to run as root: run it as the unprivileged 'postgres' user (or 'nobody').
  local runas=()
  if [ "$(id -u)" -eq 0 ]; then
    local pguser=postgres
    id "$pguser" >/dev/null 2>&1 || pguser=nobody
    chown "$pguser" "$PG_TEST_DIR"
    runas=(runuser -u "$pguser" --)
  fi
  "${runas[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U maatwerk --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  local tries=0
  until "${runas[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ] || ! grep -q "Address already in use" "$PG_TEST_DIR/server.log"; then
      cat "$PG_TEST_DIR/server.log" >&2
      return 1
    fi
    echo "Port $PG_TEST_PORT is taken; trying $((PG_TEST_PORT + 1))"
    PG_TEST_PORT=$((PG_TEST_PORT + 1))
    : >"$PG_TEST_DIR/server.log"
  done
  "$bin/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U maatwerk maatwerk
  export PG_TEST_URL="postgres://maatwerk@127.0.0.1:$PG_TEST_PORT/maatwerk"
  PG_TEST_STOP=("${runas[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m fast stop)
  echo "PostgreSQL test server at $PG_TEST_URL"
}

stop_pg_test_server() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  "${PG_TEST_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
}
