# PostgreSQL and Redis for the tests; sourced by scripts/test (bash).
#
# The tests read LIVEQ_TEST_POSTGRES_URL and LIVEQ_TEST_REDIS_URL (by default the
# servers at 127.0.0.1:5432 and 127.0.0.1:6379). Where the named (or default) server
# does not answer, this installs Debian's postgresql / redis-server if they are missing,
# starts a throwaway instance (a temporary data directory, a free port, stopped by
# stop_test_services at the end) and exports its URL.

: "${LIVEQ_TEST_POSTGRES_URL:=postgresql://postgres@127.0.0.1:5432/postgres}"
: "${LIVEQ_TEST_REDIS_URL:=redis://127.0.0.1:6379/0}"
export LIVEQ_TEST_POSTGRES_URL LIVEQ_TEST_REDIS_URL
_lq_services_dir=""
_lq_pg_ctl=""
_lq_redis_pid=""

_lq_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

_lq_postgres_answers() {
  python3 - "$LIVEQ_TEST_POSTGRES_URL" <<'PY' 2>/dev/null
import asyncio, sys
import asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1], timeout=3)
    await conn.close()
asyncio.run(main())
PY
}

_lq_redis_answers() {
  python3 - "$LIVEQ_TEST_REDIS_URL" <<'PY' 2>/dev/null
import socket, sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=3) as s:
    s.sendall(b"PING\r\n")
    assert s.recv(16).startswith(b"+PONG")
PY
}

_lq_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_lq_install() {  # Debian package names whose commands are missing
  [ $# -gt 0 ] || return 0
  _lq_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive _lq_as_root apt-get install -y -qq "$@" >/dev/null
}

_lq_workdir() {
  [ -n "$_lq_services_dir" ] || _lq_services_dir="$(mktemp -d /tmp/liveq-test-services.XXXXXX)"
}

start_test_services() {
  if ! _lq_postgres_answers; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || _lq_install postgresql
    _lq_workdir
    local bin port data run_as=()
    bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
    port="$(_lq_free_port)"
    data="$_lq_services_dir/postgres"
    mkdir -p "$data"
    # PostgreSQL refuses to run as root: root runs it as the package's postgres user.
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$_lq_services_dir" "$data"
      run_as=(runuser -u postgres --)
    fi
    "${run_as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
    "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/log" -w -o \
      "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    _lq_pg_ctl="${run_as[*]} $bin/pg_ctl -D $data -m immediate stop"
    export LIVEQ_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "scripts/test: started a throwaway PostgreSQL at 127.0.0.1:$port"
  fi
  if ! _lq_redis_answers; then
    command -v redis-server >/dev/null || _lq_install redis-server
    _lq_workdir
    local port
    port="$(_lq_free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$_lq_services_dir" --daemonize yes --pidfile "$_lq_services_dir/redis.pid" \
      --logfile "$_lq_services_dir/redis.log" >/dev/null
    for _ in $(seq 50); do [ -s "$_lq_services_dir/redis.pid" ] && break; sleep 0.1; done
    _lq_redis_pid="$(cat "$_lq_services_dir/redis.pid")"
    export LIVEQ_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
    _lq_redis_answers || { echo "scripts/test: Redis did not start" >&2; return 1; }
    echo "scripts/test: started a throwaway Redis at 127.0.0.1:$port"
  fi
}

stop_test_services() {
  if [ -n "$_lq_pg_ctl" ]; then $_lq_pg_ctl >/dev/null 2>&1 || true; fi
  if [ -n "$_lq_redis_pid" ]; then kill "$_lq_redis_pid" 2>/dev/null || true; fi
  if [ -n "$_lq_services_dir" ]; then rm -rf "$_lq_services_dir"; fi
  _lq_pg_ctl="" _lq_redis_pid="" _lq_services_dir=""
}
