#!/usr/bin/env bash
# One-shot provisioning of the compose stack (the `provision` service, in the houshi image):
# database roles and schemas, then the broker topology. The broker's users and permissions are
# loaded by RabbitMQ itself at boot (the definitions secret). Idempotent: it runs again on every
# `docker compose up`. `provision.sh subscribers declare|delete NAME` only declares or deletes a
# subscriber's queues (deploy/compose/subscribers runs it).
#
# Environment: HOUSHI_PASSWORDS_FILE (the passwords.env secret of deploy/compose/make-secrets),
# HOUSHI_TLS_CA (the CA that signed the servers' certificates); where the servers are:
# HOUSHI_POSTGRES_HOST (default postgres; PGPORT and PGTARGETSESSIONATTRS are honoured, so a
# comma-separated list with read-write finds the primary), HOUSHI_RABBITMQ_HOST (rabbitmq, or a
# cluster's nodes, comma-separated) and HOUSHI_RABBITMQ_PORT (5671, AMQPS). HOUSHI_PG_REPLICATION=on
# (docker-compose.ha.yml) also makes the standby's replication role. No password is put on a
# command line.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../provisioning.sh"

postgres=${HOUSHI_POSTGRES_HOST:-postgres}
rabbitmq=${HOUSHI_RABBITMQ_HOST:-rabbitmq}
amqp_port=${HOUSHI_RABBITMQ_PORT:-5671}
ca=${HOUSHI_TLS_CA:?the CA certificate (HOUSHI_TLS_CA) is not set}
# shellcheck source=/dev/null
. "${HOUSHI_PASSWORDS_FILE:?the passwords file (HOUSHI_PASSWORDS_FILE) is not set}"

# retry WHAT COMMAND...: the servers may still be finishing their start-up.
retry() {
  local what=$1 attempt
  shift
  for attempt in {1..30}; do
    "$@" && return 0
    echo "provision: $what not ready yet (attempt $attempt)" >&2
    sleep 2
  done
  echo "provision: giving up on $what" >&2
  return 1
}

# Check every password first, so that a missing one fails before anything is changed.
credentials | while read -r kind name; do env_password "$kind" "$name" >/dev/null; done
[[ ${HOUSHI_PG_REPLICATION:-off} != on ]] || env_password pg "$HOUSHI_PG_REPLICATION_ROLE" >/dev/null

IFS=, read -ra rabbitmq_hosts <<<"$rabbitmq"
# as_broker_admin COMMAND...: COMMAND with HOUSHI_AMQP_URL the broker administrator's.
as_broker_admin() {
  HOUSHI_AMQP_URL=$(amqps_url_list "$HOUSHI_BROKER_ADMIN" "$(env_password amqp "$HOUSHI_BROKER_ADMIN")" "$amqp_port" "$ca" \
    "${rabbitmq_hosts[@]}") "$@"
}

# `provision.sh subscribers declare|delete NAME` (deploy/compose/subscribers): a subscriber's
# queues only.
if [[ ${1:-} == subscribers ]]; then
  as_broker_admin retry RabbitMQ intake "$@"
  exit
fi

echo "provision: database roles and schemas"
export PGPASSWORD PGSSLMODE=verify-full PGSSLROOTCERT=$ca
PGPASSWORD=$(env_password pg postgres)
if [[ ${HOUSHI_PG_REPLICATION:-off} == on ]]; then
  # First: until the standby can copy the primary as this role, the primary's other commits wait.
  retry PostgreSQL provision_replication_role env_password -h "$postgres" -U postgres -d postgres
fi
retry PostgreSQL provision_database env_password -h "$postgres" -U postgres -d postgres

echo "provision: broker topology"
as_broker_admin retry RabbitMQ intake declare-topology
echo "provision: done"
