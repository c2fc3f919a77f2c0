#!/usr/bin/env bash
# Entrypoint of both PostgreSQL servers in docker-compose.ha.yml, run as root before the image's
# own docker-entrypoint.sh (which then steps down to the postgres user):
# - writes the replication role's password, from its secret, into a passfile outside the data
#   volume for pg_basebackup and a standby's WAL receiver: so it is in no environment, command
#   line or data directory;
# - with HOUSHI_PG_FOLLOW naming a primary and an empty data directory, first makes this server
#   that primary's standby: pg_basebackup -R (standby.signal), then a primary_conninfo of its own
#   with verify-full TLS and HOUSHI_PG_APPLICATION_NAME, the name the primary's
#   synchronous_standby_names waits for. It retries until the primary and its replication role
#   (made by the provision job) are there: a standby never initialises a database of its own.
# Otherwise the image's entrypoint does as it always does: it initialises an empty directory as a
# new primary, or starts what is there (a standby stays one: standby.signal is in its data).
#
# Environment: HOUSHI_PG_FOLLOW (the primary's host, or empty), HOUSHI_PG_APPLICATION_NAME,
# HOUSHI_PG_REPLICATION_PASSWORD_FILE, HOUSHI_TLS_CA; PGDATA (the image's).
set -euo pipefail

role=replicator   # deploy/provisioning.sh's HOUSHI_PG_REPLICATION_ROLE
passfile=/var/lib/postgresql/.pgpass
data=${PGDATA:?}
follow=${HOUSHI_PG_FOLLOW:-}

password=$(<"${HOUSHI_PG_REPLICATION_PASSWORD_FILE:?}")
# (host:port:database:user:password; check_password allows no ':' or '\' that would need escaping)
(umask 077 && printf '*:*:*:%s:%s\n' "$role" "$password" >"$passfile")
chown postgres:postgres "$passfile"

if [[ -n $follow && ! -s $data/PG_VERSION ]]; then
  conninfo="host=$follow port=5432 user=$role passfile=$passfile sslmode=verify-full"
  conninfo+=" sslrootcert=${HOUSHI_TLS_CA:?} application_name=${HOUSHI_PG_APPLICATION_NAME:?}"
  mkdir -p "$data"
  chown postgres:postgres "$data"
  chmod 700 "$data"
  # (a failed pg_basebackup empties the directory again)
  until gosu postgres pg_basebackup --pgdata="$data" --dbname="$conninfo" --write-recovery-conf \
    --wal-method=stream --checkpoint=fast --no-password; do
    echo "postgres-ha-entrypoint: cannot copy $follow yet (not up, or no replication role yet); again in 5 s" >&2
    sleep 5
  done
  # Ours in place of the primary_conninfo pg_basebackup wrote, whatever libpq put in that.
  sed -i '/^primary_conninfo[[:space:]=]/d' "$data/postgresql.auto.conf"
  echo "primary_conninfo = '$conninfo'" >>"$data/postgresql.auto.conf"
  echo "postgres-ha-entrypoint: now a standby of $follow, as $HOUSHI_PG_APPLICATION_NAME" >&2
fi
exec docker-entrypoint.sh "$@"
