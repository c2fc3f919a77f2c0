#!/usr/bin/env bash
# One-shot provisioning of the compose stack (the `provision` service, in the houshi image):
# database roles and schemas, broker users and permissions, then the broker topology.
# Idempotent: it runs again on every `docker compose up`.
#
# Environment: the passwords HOUSHI_AMQP_PASSWORD_<USER> (HOUSHI_ADMIN and each service)
# and HOUSHI_PG_PASSWORD_<ROLE> (POSTGRES and each service), upper case with `_` for `-`;
# where the servers are: HOUSHI_POSTGRES_HOST (default postgres; PGPORT is honoured),
# HOUSHI_RABBITMQ_HOST (default rabbitmq), HOUSHI_RABBITMQ_PORT (5672) and
# HOUSHI_RABBITMQ_API_PORT (15672, the management plugin).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../provisioning.sh"

postgres=${HOUSHI_POSTGRES_HOST:-postgres}
rabbitmq=${HOUSHI_RABBITMQ_HOST:-rabbitmq}
amqp_port=${HOUSHI_RABBITMQ_PORT:-5672}
api=http://$rabbitmq:${HOUSHI_RABBITMQ_API_PORT:-15672}/api

# env_password KIND NAME: the password lookup of provisioning.sh, from the environment.
env_password() {
  local var
  var=$(password_var "$1" "$2")
  [[ -n ${!var:-} ]] || { echo "provision: $var is not set" >&2; return 1; }
  check_password "$var" "${!var}"
  echo "${!var}"
}

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

echo "provision: database roles and schemas"
export PGPASSWORD
PGPASSWORD=$(env_password pg postgres)
retry PostgreSQL provision_database env_password -h "$postgres" -U postgres -d postgres

echo "provision: broker users and permissions"
admin_password=$(env_password amqp "$HOUSHI_BROKER_ADMIN")
definitions=$(broker_definitions env_password)
retry RabbitMQ curl -fsS -o /dev/null -u "$HOUSHI_BROKER_ADMIN:$admin_password" \
  -H 'content-type: application/json' --data-binary "$definitions" "$api/definitions"
# The image creates the admin from RABBITMQ_DEFAULT_USER, so guest should not exist.
status=$(curl -sS -o /dev/null -w '%{http_code}' -u "$HOUSHI_BROKER_ADMIN:$admin_password" \
  -X DELETE "$api/users/guest")
[[ $status == 204 || $status == 404 ]] || { echo "provision: deleting guest: HTTP $status" >&2; exit 1; }

echo "provision: broker topology"
HOUSHI_AMQP_URL="amqp://$HOUSHI_BROKER_ADMIN:$admin_password@$rabbitmq:$amqp_port/%2F" \
  intake declare-topology
echo "provision: done"
