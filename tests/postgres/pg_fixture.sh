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

# The server's files live in DIR/server, or in a /tmp directory when the server's user cannot reach
# DIR (a build tree under a 0700 home) or the socket path would pass the ~100-byte limit.
home() { cat "$dir/home"; }

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  else
    echo $((20000 + $$ % 30000))
  fi
}

case "$cmd" in
  start)
    if [ -f "$dir/home" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then
      owner=postgres
      id postgres >/dev/null 2>&1 || owner=nobody
    fi
    echo "$owner" >"$dir/owner"
    server="$dir/server"
    mkdir -p "$server"
    [ "$(id -u)" = 0 ] && chown "$owner" "$server"
    if [ ${#server} -gt 80 ] || ! as_server test -w "$server"; then
      rm -rf "$server"
      server=$(mktemp -d /tmp/faltrain-pg.XXXXXX)
      [ "$(id -u)" = 0 ] && chown "$owner" "$server"
    fi
    echo "$server" >"$dir/home"
    as_server mkdir -p "$server/data" "$server/sock"
    port=$(free_port)
    as_server "$bindir/initdb" -D "$server/data" -U faltrain --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "-c listen_addresses=127.0.0.1 -p $port -k $server/sock -c fsync=on -c max_connections=200" >"$dir/opts"
    as_server "$bindir/pg_ctl" -D "$server/data" -l "$server/server.log" -w -t 60 -o "$(cat "$dir/opts")" \
      start >/dev/null || { cat "$server/server.log" >&2; exit 1; }
    as_server "$bindir/createdb" -h 127.0.0.1 -p "$port" -U faltrain faltrain
    echo "$bindir" >"$dir/bindir"
    echo "postgresql://faltrain@127.0.0.1:$port/faltrain" >"$dir/url"
    echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $server/data)"
    ;;
  restart)
    as_server "$bindir/pg_ctl" -D "$(home)/data" -l "$(home)/server.log" -w -t 60 -m fast restart >/dev/null
    ;;
  pause)
    as_server "$bindir/pg_ctl" -D "$(home)/data" -w -t 60 -m fast stop >/dev/null
    ;;
  resume)
    as_server "$bindir/pg_ctl" -D "$(home)/data" -l "$(home)/server.log" -w -t 60 -o "$(cat "$dir/opts")" \
      start >/dev/null
    ;;
  stop)
    if [ -f "$dir/home" ]; then
      if [ -f "$(home)/data/postmaster.pid" ]; then
        as_server "$bindir/pg_ctl" -D "$(home)/data" -w -t 60 -m fast stop >/dev/null || true
      fi
      case "$(home)" in /tmp/faltrain-pg.*) rm -rf "$(home)" ;; esac
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
