# Houshi provisioning shared by the local scripts (deploy/local/lib.sh) and the compose
# one-shot (deploy/compose/provision.sh). Source it; it defines names and functions only.
#
# Both callers pass a password lookup function PASSWORD_OF, called as
#   PASSWORD_OF amqp USER    (USER: houshi-admin or a service name)
#   PASSWORD_OF pg ROLE      (ROLE: postgres or a service's database role)
# The exchanges and queues are not created here: `intake declare-topology` does that.

HOUSHI_SERVICES=(intake public-security civil-affairs social-security)
HOUSHI_BROKER_ADMIN=houshi-admin
HOUSHI_DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# credentials: every "KIND NAME" pair that has a password (see PASSWORD_OF above).
credentials() {
  local svc
  for svc in "$HOUSHI_BROKER_ADMIN" "${HOUSHI_SERVICES[@]}"; do echo "amqp $svc"; done
  echo "pg postgres"
  for svc in "${HOUSHI_SERVICES[@]}"; do echo "pg $(db_role "$svc")"; done
}

# password_var KIND NAME: the variable that holds that password in the compose setup,
# e.g. HOUSHI_AMQP_PASSWORD_PUBLIC_SECURITY, HOUSHI_PG_PASSWORD_POSTGRES.
password_var() {
  local var=HOUSHI_${1^^}_PASSWORD_${2^^}
  echo "${var//-/_}"
}

# random_password: 48 hex digits.
random_password() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

# random_seal_key: a new Ed25519 private key for intake's seals, base64 of 32 random bytes.
random_seal_key() { head -c 32 /dev/urandom | base64; }

# db_role SERVICE: the service's PostgreSQL role and schema (public-security -> public_security).
db_role() { echo "${1//-/_}"; }

# check_password WHAT VALUE: passwords go unescaped into URLs, JSON and psql variables.
check_password() {
  [[ $2 =~ ^[A-Za-z0-9._~-]{16,}$ ]] ||
    { echo "password for $1 must be at least 16 characters of A-Z a-z 0-9 . _ ~ -" >&2; return 1; }
}

# broker_definitions PASSWORD_OF: RabbitMQ definitions JSON (users and their permissions on
# vhost "/"), for `rabbitmqctl import_definitions` or POST /api/definitions.
# A service S may configure only its own queues (S, S.dead-letter) and read/write those plus
# the shared exchanges houshi.events and houshi.dead-letters. On houshi.events its topic
# permissions (broker/topic-permissions.json, the contract's, kept so by a test) let it publish
# only the event types it owns and bind its queue only to the types it consumes.
broker_definitions() {
  local password_of=$1 users=() permissions=() user own access
  user=$HOUSHI_BROKER_ADMIN
  users+=("$(json_user "$user" "$("$password_of" amqp "$user")" '"administrator"')")
  permissions+=("$(json_permission "$user" '.*' '.*')")
  for user in "${HOUSHI_SERVICES[@]}"; do
    own="$user"'(\.dead-letter)?'
    access='^(houshi\.events|houshi\.dead-letters|'"$own"')$'
    users+=("$(json_user "$user" "$("$password_of" amqp "$user")" '')")
    permissions+=("$(json_permission "$user" "^$own\$" "$access")")
  done
  local IFS=,
  printf '{"users":[%s],"permissions":[%s],"topic_permissions":%s}\n' "${users[*]}" "${permissions[*]}" \
    "$(tr -d '\n' <"$HOUSHI_DEPLOY_DIR/broker/topic-permissions.json")"
}

# json_user NAME PASSWORD TAGS_JSON / json_permission USER CONFIGURE READ_WRITE: JSON objects.
# Names and checked passwords need no escaping; regex backslashes do.
json_user() {
  printf '{"name":"%s","password":"%s","tags":[%s]}' "$1" "$2" "$3"
}
json_permission() {
  local configure=${2//\\/\\\\} access=${3//\\/\\\\}
  printf '{"user":"%s","vhost":"/","configure":"%s","write":"%s","read":"%s"}' \
    "$1" "$configure" "$access" "$access"
}

# provision_database PASSWORD_OF PSQL_ARGS...: create the database, roles and schemas
# (idempotent) by running deploy/sql/provision.sql as the superuser PSQL_ARGS connect as.
provision_database() {
  local password_of=$1 vars=() svc role
  shift
  vars+=(-v "postgres_password=$("$password_of" pg postgres)")
  for svc in "${HOUSHI_SERVICES[@]}"; do
    role=$(db_role "$svc")
    vars+=(-v "${role}_password=$("$password_of" pg "$role")")
  done
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -v ON_ERROR_STOP=1 "${vars[@]}" -f "$HOUSHI_DEPLOY_DIR/sql/provision.sql" "$@"
}
