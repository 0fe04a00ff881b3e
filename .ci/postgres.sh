#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: initialised and run as the `postgres` user
# when run as root (initdb refuses root) in a temporary folder, listening on loopback only, on a
# free port, trust auth, no fsync (nothing in it outlives the run).
# Usage (sourced): pg_start  -> exports DIALDECK_TEST_PG (a postgresql:// URL); pg_stop.
pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }; done
    dir="$(command -v initdb 2>/dev/null)" && { dirname "$(readlink -f "$dir")"; return 0; }
    return 1
}

pg_as_server() {  # run a command as the user the server runs as
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

pg_start() {
    local port
    PG_BIN="$(pg_bin)" || { echo "postgres.sh: no PostgreSQL server programs (initdb, pg_ctl)" >&2; return 1; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "postgres.sh: running as root, but there is no postgres user to run the server as" >&2
        return 1
    fi
    PG_TMP="$(mktemp -d /tmp/dialdeck-pg.XXXXXX)"
    chmod 755 "$PG_TMP"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_TMP"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    pg_as_server "'$PG_BIN/initdb' -D '$PG_TMP/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N" >/dev/null \
        || { echo "postgres.sh: initdb failed" >&2; return 1; }
    pg_as_server "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -l '$PG_TMP/log' -w -t 60 \
        -o \"-c listen_addresses=127.0.0.1 -p $port -k '$PG_TMP' -c fsync=off -c full_page_writes=off \
            -c max_connections=200\" start" >/dev/null \
        || { echo "postgres.sh: the server did not start:" >&2; cat "$PG_TMP/log" >&2; return 1; }
    export DIALDECK_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
}

pg_stop() {
    [ -n "${PG_TMP:-}" ] || return 0
    pg_as_server "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=""
}
