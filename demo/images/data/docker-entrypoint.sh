#!/bin/bash
# Entrypoint of faultline/demo-data: one Debian image that runs either Postgres or Redis, with the same contract as
# the official `postgres` and `redis` images (command `postgres ...` with POSTGRES_USER/PASSWORD/DB and PGDATA;
# command `redis-server ...` in /data), so users who are online can swap in those images unchanged.
set -euo pipefail

as_user() { # as_user USER CMD...: drops root for the server process, as the official images do with gosu.
  local user="$1"; shift
  exec setpriv --reuid="$user" --regid="$user" --init-groups "$@"
}

case "${1:-}" in
  postgres)
    : "${PGDATA:=/var/lib/postgresql/data}"
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    export PGDATA
    if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
      echo "error: POSTGRES_PASSWORD is not set; set it in the service's environment" >&2
      exit 1
    fi
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
      pwfile="$(mktemp)"
      printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
      chown postgres "$pwfile"
      setpriv --reuid=postgres --regid=postgres --init-groups \
        initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
      rm -f "$pwfile"
      echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
      echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
      if [[ "$POSTGRES_DB" != postgres ]]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\";" |
          setpriv --reuid=postgres --regid=postgres --init-groups postgres --single -D "$PGDATA" postgres >/dev/null
      fi
      echo "initialized $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
    fi
    as_user postgres "$@"
    ;;
  redis-server)
    mkdir -p /data
    chown redis:redis /data
    cd /data
    as_user redis "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
