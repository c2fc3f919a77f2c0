# Houshi provisioning shared by the local scripts (deploy/local/lib.sh) and the compose
# one-shot (deploy/compose/provision.sh). Source it; it defines names and functions only.
#
# Both callers pass a password lookup function PASSWORD_OF, called as
#   PASSWORD_OF amqp USER    (USER: houshi-admin or a service name)
#   PASSWORD_OF pg ROLE      (ROLE: postgres or a service's database role)
# The exchanges and queues are not created here: `intake declare-topology` does that.

HOUSHI_SERVICES=(intake public-security civil-affairs social-security)
# Subscribers of the public facts that run on Houshi's runtime with a schema of their own (the
# housing fund, the reference one): a database role and schema as a service has; their broker
# users are a subscriber's, made by deploy/local/subscribers (deploy/compose/subscribers).
HOUSHI_SUBSCRIBER_SERVICES=(housing-fund)
HOUSHI_BROKER_ADMIN=houshi-admin
# The role a PostgreSQL standby replicates as (docker-compose.ha.yml only; not in `credentials`,
# so that a passwords.env made before it still provisions the single-node set-up).
HOUSHI_PG_REPLICATION_ROLE=replicator
HOUSHI_DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# credentials: every "KIND NAME" pair that has a password (see PASSWORD_OF above).
credentials() {
  local svc
  for svc in "$HOUSHI_BROKER_ADMIN" "${HOUSHI_SERVICES[@]}"; do echo "amqp $svc"; done
  echo "pg postgres"
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do echo "pg $(db_role "$svc")"; done
}

# password_var KIND NAME: the variable that holds that password in the compose setup,
# e.g. HOUSHI_AMQP_PASSWORD_PUBLIC_SECURITY, HOUSHI_PG_PASSWORD_POSTGRES.
password_var() {
  local var=HOUSHI_${1^^}_PASSWORD_${2^^}
  echo "${var//-/_}"
}

# amqps_url_list USER PASSWORD PORT CA HOST...: USER's AMQPS URL on each HOST, comma-separated (the
# form HOUSHI_AMQP_URL takes for a cluster; one HOST gives one URL).
amqps_url_list() {
  local user=$1 password=$2 port=$3 ca=$4 host urls=()
  shift 4
  for host in "$@"; do urls+=("amqps://$user:$password@$host:$port/%2F?cacertfile=$ca"); done
  local IFS=,
  echo "${urls[*]}"
}

# random_password: 48 hex digits.
random_password() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

# random_seal_key: a new Ed25519 private key for intake's seals, base64 of 32 random bytes.
random_seal_key() { head -c 32 /dev/urandom | base64; }

# TLS for the local run and compose: a private certificate authority and server certificates
# it signs (ECDSA P-256, made by openssl). Keys are written mode 600.
#
# make_tls_ca DIR: DIR/ca.pem and DIR/ca.key, unless present. Valid ten years.
make_tls_ca() {
  local dir=$1
  [[ -s $dir/ca.pem && -s $dir/ca.key ]] && return 0
  mkdir -p "$dir"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=Houshi/CN=Houshi local CA $(date +%Y-%m-%d)" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null)
}

# make_tls_server_cert DIR NAME HOST...: DIR/NAME.pem and DIR/NAME.key for the HOSTs (names or
# IPv4 addresses), signed by DIR's CA, unless present. Valid 825 days.
make_tls_server_cert() {
  local dir=$1 name=$2 host alt=()
  shift 2
  [[ -s $dir/$name.pem && -s $dir/$name.key ]] && return 0
  for host in "$@"; do
    if [[ $host =~ ^[0-9.]+$ ]]; then alt+=("IP:$host"); else alt+=("DNS:$host"); fi
  done
  local IFS=,
  (umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Houshi/CN=$1" \
    -keyout "$dir/$name.key" 2>/dev/null |
    openssl x509 -req -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -days 825 -set_serial "0x$(random_password | cut -c1-32)" \
      -extfile <(printf '%s\n' "subjectAltName=${alt[*]}" basicConstraints=critical,CA:FALSE \
        keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth) \
      -out "$dir/$name.pem" 2>/dev/null)
}

# db_role SERVICE: the service's PostgreSQL role and schema (public-security -> public_security).
db_role() { echo "${1//-/_}"; }

# check_password WHAT VALUE: passwords go unescaped into URLs, JSON and psql variables.
check_password() {
  [[ $2 =~ ^[A-Za-z0-9._~-]{16,}$ ]] ||
    { echo "password for $1 must be at least 16 characters of A-Z a-z 0-9 . _ ~ -" >&2; return 1; }
}

# env_password KIND NAME: the password lookup (PASSWORD_OF above) from the variables password_var
# names, e.g. after sourcing compose's passwords.env; a missing or malformed one fails.
env_password() {
  local var
  var=$(password_var "$1" "$2")
  [[ -n ${!var:-} ]] || { echo "$var is not set" >&2; return 1; }
  check_password "$var" "${!var}"
  echo "${!var}"
}

# broker_definitions PASSWORD_OF: RabbitMQ definitions JSON (users and their permissions on
# vhost "/"), for `rabbitmqctl import_definitions` or POST /api/definitions.
# A service S may configure only its own queues (S, S.dead-letter) and read/write those plus
# the shared exchanges houshi.events and houshi.dead-letters; intake also houshi.facts (the
# public facts for subscribers outside) and houshi.outcomes (what the subscribers report). On
# each exchange its topic permissions (broker/topic-permissions.json, the contract's, kept so by
# a test) let it publish only the types it owns and bind its queue only to the types it
# consumes. Subscribers' users are added later, one by one (deploy/local/subscribers,
# deploy/compose/subscribers).
broker_definitions() {
  local password_of=$1 users=() permissions=() user own access exchanges
  user=$HOUSHI_BROKER_ADMIN
  users+=("$(json_user "$user" "$("$password_of" amqp "$user")" '"administrator"')")
  permissions+=("$(json_permission "$user" '.*' '.*')")
  for user in "${HOUSHI_SERVICES[@]}"; do
    own="$user"'(\.dead-letter)?'
    exchanges='houshi\.events|houshi\.dead-letters'
    [[ $user != intake ]] || exchanges+='|houshi\.facts|houshi\.outcomes'
    access='^('"$exchanges"'|'"$own"')$'
    users+=("$(json_user "$user" "$("$password_of" amqp "$user")" '')")
    permissions+=("$(json_permission "$user" "^$own\$" "$access")")
  done
  local IFS=,
  printf '{"users":[%s],"permissions":[%s],"topic_permissions":%s}\n' "${users[*]}" "${permissions[*]}" \
    "$(tr -d '\n' <"$HOUSHI_DEPLOY_DIR/broker/topic-permissions.json")"
}

# subscriber_secrets DIR NAME: a subscriber's secrets for the compose stack in DIR: its broker
# password (made once, then kept) and its AMQPS URLs, to the broker (subscriber-NAME-amqp-url)
# and to every node of the HA variant's cluster (subscriber-NAME-amqp-url-ha), each mode 600.
subscriber_secrets() {
  local dir=$1 name=$2 ca=/run/secrets/tls-ca.pem
  local password_file=$dir/subscriber-$name-password
  (
    umask 077
    [[ -s $password_file ]] || random_password >"$password_file"
    amqps_url_list "subscriber.$name" "$(cat "$password_file")" 5671 "$ca" rabbitmq >"$dir/subscriber-$name-amqp-url"
    amqps_url_list "subscriber.$name" "$(cat "$password_file")" 5671 "$ca" rabbitmq rabbitmq-2 rabbitmq-3 \
      >"$dir/subscriber-$name-amqp-url-ha"
  )
}

# subscriber_name_ok NAME: NAME is a subscriber's name (as the contract's Subscriber takes it:
# lowercase letters, digits and inner hyphens, starting with a letter, at most 40), or a usage
# error.
subscriber_name_ok() {
  [[ $1 =~ ^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$ ]] && return 0
  echo "subscriber name '$1': lowercase letters, digits and hyphens, starting with a letter, at most 40 (e.g. housing-fund)" >&2
  exit 2
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
  local password_of=$1 svc role settings
  shift
  # The passwords reach psql as \set lines on its input, not as -v arguments: a command line is
  # readable by every user of the machine (/proc/PID/cmdline). All are looked up before psql runs.
  settings=$(printf '\\set postgres_password %s\n' "$("$password_of" pg postgres)") || return 1
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do
    role=$(db_role "$svc")
    settings+=$'\n'$(printf '\\set %s_password %s' "$role" "$("$password_of" pg "$role")") || return 1
  done
  # (-f - first, then the script, which includes its neighbour service-role.sql by a relative path)
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -v ON_ERROR_STOP=1 -f - -f "$HOUSHI_DEPLOY_DIR/sql/provision.sql" "$@" <<<"$settings"
}

# provision_replication_role PASSWORD_OF PSQL_ARGS...: the standby's replication role
# (HOUSHI_PG_REPLICATION_ROLE; deploy/sql/replication-role.sql), made or given its password again.
# Its commits wait for no synchronous standby: the standby cannot connect before the role exists.
provision_replication_role() {
  local password_of=$1 password
  shift
  password=$("$password_of" pg "$HOUSHI_PG_REPLICATION_ROLE") || return 1
  PGOPTIONS="-c client_min_messages=warning -c synchronous_commit=local" \
    psql -X -q -v ON_ERROR_STOP=1 -f - -f "$HOUSHI_DEPLOY_DIR/sql/replication-role.sql" "$@" \
    <<<"$(printf '\\set role %s\n\\set password %s' "$HOUSHI_PG_REPLICATION_ROLE" "$password")"
}
