#!/bin/sh
# A throwaway PostgreSQL server for the tests: initdb + pg_ctl on 127.0.0.1 with a free port.
#
#   pg_fixture.sh start DIR     initdb, start, create database "faltrain"; writes DIR/url
#   pg_fixture.sh restart DIR   pg_ctl restart (the multi-instance test's database restart)
#   pg_fixture.sh pause DIR     stop the server, keeping its files; resume starts it again
#   pg_fixture.sh stop DIR      stop the server and delete its files
#
# Exits 77 (ctest SKIP_RETURN_CODE) only when PostgreSQL's server binaries are not installed.
# initdb refuses to run as root, so as root the server runs as the "postgres" user (created by the
# Debian package) or, failing that, "nobody".
set -eu
cmd=${1:?usage: pg_fixture.sh start|restart|stop DIR}
dir=${2:?usage: pg_fixture.sh start|restart|stop DIR}

bindir=${FALTRAIN_PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir=$candidate
  done
fi
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "SKIP: PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian package postgresql" >&2
  exit 77
fi

as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$(cat "$dir/owner")" -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then
      owner=postgres
      id postgres >/dev/null 2>&1 || owner=nobody
    fi
    echo "$owner" >"$dir/owner"
    # The unix socket path must stay under ~100 bytes and be reachable by the server's user.
    sockdir="$dir/sock"
    if [ ${#sockdir} -gt 90 ]; then sockdir=$(mktemp -d /tmp/faltrain-pg-sock.XXXXXX); fi
    mkdir -p "$sockdir" "$dir/data"
    echo "$sockdir" >"$dir/sockdir"
    if [ "$(id -u)" = 0 ]; then
      chown -R "$owner" "$dir" "$sockdir"
      # The server's user must be able to reach DIR (build trees are often 0700 under /root).
      probe=$dir
      while [ "$probe" != / ]; do chmod o+x "$probe" 2>/dev/null || true; probe=$(dirname "$probe"); done
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_server "$bindir/initdb" -D "$dir/data" -U faltrain --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "-c listen_addresses=127.0.0.1 -p $port -k $sockdir -c fsync=on -c max_connections=200" >"$dir/opts"
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/opts")" start \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_server "$bindir/createdb" -h 127.0.0.1 -p "$port" -U faltrain faltrain
    echo "$bindir" >"$dir/bindir"
    echo "postgresql://faltrain@127.0.0.1:$port/faltrain" >"$dir/url"
    echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $dir/data)"
    ;;
  restart)
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
  pause)
    as_server "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null
    ;;
  resume)
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/opts")" start >/dev/null
    ;;
  stop)
    if [ -f "$dir/owner" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_server "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true
    fi
    if [ -f "$dir/sockdir" ]; then
      case "$(cat "$dir/sockdir")" in /tmp/faltrain-pg-sock.*) rm -rf "$(cat "$dir/sockdir")" ;; esac
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
