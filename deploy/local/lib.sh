#!/usr/bin/env bash
# Shared functions of the local run scripts (infra, up, down, test): a private RabbitMQ node,
# PostgreSQL cluster and nginx run as plain processes (no systemd, no Docker) under one run dir.
# Source it after `set -euo pipefail`, then call houshi_config.
#
# Layout of the run dir (HOUSHI_RUN_DIR, default <repo>/.run):
#   rabbitmq/   node home (Erlang cookie), config, data        postgres/  cluster and socket
#   rabbitmq-2/, rabbitmq-3/, postgres-2/: with HOUSHI_HA=on, the cluster's other nodes and the standby
#   secrets/    generated passwords, one file each              env/       <service>.env, admin.env
#   logs/       rabbitmq, postgres, nginx and service logs      pids/      <service>.pid
#   nginx/      nginx.conf (rendered), pid, temporary files
#   tls/        the local CA (ca.pem, ca.key) and the servers' certificate (server.pem, .key)

HOUSHI_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../provisioning.sh
. "$HOUSHI_REPO/deploy/provisioning.sh"

RABBIT_BIN=/usr/lib/rabbitmq/bin   # not the /usr/sbin wrappers: they switch user and HOME
INFRA_PACKAGES=(rabbitmq-server postgresql librabbitmq-dev libpq-dev pkg-config curl)
# shellcheck disable=SC2034  # (used by up, infra and test)
WEB_PACKAGES=(nginx gettext-base)   # gettext-base: envsubst, to render deploy/nginx/houshi.conf

# The demo medical institution of deploy/local/up, and its staff login for the pages.
DEMO_INSTITUTION_CODE=FY-DEMO-HOSPITAL DEMO_INSTITUTION_NAME=抚远市人民医院
DEMO_STAFF_LOGIN=demo DEMO_STAFF_NAME=演示护士

log() { printf '[houshi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------- configuration

# houshi_config: resolve the run dir, ports and paths. A setting comes from the environment,
# else from the run dir's admin.env (so a restart reuses the ports), else from the default.
houshi_config() {
  RUN_DIR=$(realpath -m "${HOUSHI_RUN_DIR:-$HOUSHI_REPO/.run}")
  [[ $RUN_DIR =~ ^[A-Za-z0-9/._+-]+$ ]] || die "the run dir's path must be plain (A-Z a-z 0-9 / . _ + -): $RUN_DIR"
  ENV_DIR=$RUN_DIR/env SECRETS_DIR=$RUN_DIR/secrets LOG_DIR=$RUN_DIR/logs PID_DIR=$RUN_DIR/pids
  AMQP_PORT=$(setting HOUSHI_AMQP_PORT 5672)
  AMQP_DIST_PORT=$(setting HOUSHI_AMQP_DIST_PORT 25672)
  PG_PORT=$(setting HOUSHI_PG_PORT 5432)
  HTTP_BASE_PORT=$(setting HOUSHI_HTTP_BASE_PORT 8080)
  WEB_PORT=$(setting HOUSHI_WEB_PORT 8000)
  LOG_FORMAT=$(setting HOUSHI_LOG_FORMAT text)
  TLS=$(setting HOUSHI_TLS on)
  [[ $TLS == on || $TLS == off ]] || die "HOUSHI_TLS must be on or off, not $TLS"
  # HA: three RabbitMQ nodes in one cluster (ports AMQP_PORT to +2, distribution ports likewise)
  # and PostgreSQL as a primary with a synchronous streaming standby (PG_PORT, PG_PORT+1).
  HA=$(setting HOUSHI_HA off)
  [[ $HA == on || $HA == off ]] || die "HOUSHI_HA must be on or off, not $HA"
  BROKER_NODES=1 PG_SERVERS=1
  [[ $HA == off ]] || BROKER_NODES=3 PG_SERVERS=2
  TLS_DIR=$RUN_DIR/tls TLS_CA=$RUN_DIR/tls/ca.pem
  local port
  for port in "$AMQP_PORT" "$AMQP_DIST_PORT" "$PG_PORT" "$HTTP_BASE_PORT" "$WEB_PORT"; do
    [[ $port =~ ^[0-9]+$ ]] || die "not a port number: $port"
  done
  select_broker_node 1
  NGINX_DIR=$RUN_DIR/nginx
  SERVICE_DIR='' BROKER_USER=''
  [[ $EUID -ne 0 ]] || BROKER_USER=rabbitmq
  [[ $EUID -ne 0 ]] || SERVICE_DIR=/var/lib/houshi/service-$(printf %s "$RUN_DIR" | md5sum | cut -c1-16)
  select_pg_server 1
}

# setting NAME DEFAULT
setting() {
  local value=${!1:-}
  [[ -n $value ]] || value=$(sed -n "s/^$1=//p" "$RUN_DIR/env/admin.env" 2>/dev/null || true)
  echo "${value:-$2}"
}

# select_broker_node N: the RabbitMQ node the broker functions act on (1 to BROKER_NODES): its
# name, ports (AMQP_PORT+N-1, AMQP_DIST_PORT+N-1) and folder (rabbitmq/, rabbitmq-N/).
select_broker_node() {
  NODE_INDEX=$1 NODE_PORT=$((AMQP_PORT + $1 - 1)) NODE_DIST_PORT=$((AMQP_DIST_PORT + $1 - 1))
  NODE="houshi-$NODE_PORT@localhost" RABBIT_NAME=rabbitmq
  (($1 == 1)) || RABBIT_NAME=rabbitmq-$1
  RABBIT_DIR=$RUN_DIR/$RABBIT_NAME RABBIT_PIDFILE=$RUN_DIR/$RABBIT_NAME/rabbitmq.pid
}

# select_pg_server N: the PostgreSQL server the database functions act on (1 to PG_SERVERS): its
# port (PG_PORT+N-1) and folder (<run dir>/postgres or postgres-N, or where that link points).
select_pg_server() {
  PG_INDEX=$1 PG_SERVER_PORT=$((PG_PORT + $1 - 1)) PG_NAME=postgres
  (($1 == 1)) || PG_NAME=postgres-$1
  pg_paths
}

pg_paths() {
  PG_DIR=$(realpath -m "$RUN_DIR/$PG_NAME")
  PG_DATA=$PG_DIR/data PG_SOCKET=$PG_DIR/socket PG_LOG=$PG_DIR/postgres.log
}

# server_dir NAME USER: create <run dir>/NAME for a server that runs as USER, which must reach
# it through every parent, with a short path (sockets): a run dir that fails either (e.g. under
# /root or a mktemp folder) gets the folder in /var/lib/houshi instead, linked from
# <run dir>/NAME.
server_dir() {
  local link=$RUN_DIR/$1
  [[ ! -e $link ]] || return 0
  mkdir -p "$RUN_DIR"
  if runuser -u "$2" -- test -x "$RUN_DIR" && ((${#RUN_DIR} < 70)); then
    mkdir "$link"
  else
    local real
    real=/var/lib/houshi/$1-$(printf %s "$RUN_DIR" | md5sum | cut -c1-16)
    mkdir -p "$real"
    ln -s "$real" "$link"
  fi
}

# make_pg_dir: create the cluster's folder; the server runs as user postgres.
make_pg_dir() {
  server_dir "$PG_NAME" postgres
  pg_paths
  mkdir -p "$PG_SOCKET"
  chown postgres: "$PG_DIR" "$PG_SOCKET"
  chmod 700 "$PG_DIR" "$PG_SOCKET"   # the socket trusts whoever reaches it: root and postgres
  touch "$PG_LOG"
  chown postgres: "$PG_LOG"
  private_dir "$LOG_DIR"
  ln -sfn "$PG_LOG" "$LOG_DIR/$PG_NAME.log"
}

# service_port SERVICE: intake base+0, public-security +1, civil-affairs +2, social-security +3,
# housing-fund +4.
service_port() {
  local i all=("${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}")
  for i in "${!all[@]}"; do
    [[ ${all[i]} == "$1" ]] && { echo $((HTTP_BASE_PORT + i)); return; }
  done
  die "unknown service $1"
}

# secret NAME: the password in secrets/NAME, generated (48 hex digits) on first use.
secret() {
  local file=$SECRETS_DIR/$1
  if [[ ! -s $file ]]; then
    private_dir "$SECRETS_DIR"
    (umask 077 && random_password >"$file")
  fi
  cat "$file"
}

# seal_key_file: secrets/seal-key, intake's Ed25519 seal key (base64 of 32 random bytes), made
# on first use; prints its path.
seal_key_file() {
  local file=$SECRETS_DIR/seal-key
  if [[ ! -s $file ]]; then
    private_dir "$SECRETS_DIR"
    (umask 077 && random_seal_key >"$file")
  fi
  echo "$file"
}

# broker_user SERVICE: its broker user: a service's name, or subscriber.NAME for a subscriber's.
broker_user() {
  if [[ " ${HOUSHI_SUBSCRIBER_SERVICES[*]} " == *" $1 "* ]]; then echo "subscriber.$1"; else echo "$1"; fi
}

# local_password KIND NAME: the password lookup of deploy/provisioning.sh, from secrets/.
local_password() { secret "$1-$2"; }

# amqp_url USER [CA] / pg_url ROLE [CA]: a service's (or the admin's) URL of the broker or the
# database; with TLS on, AMQPS and PostgreSQL's verify-full against the local CA (at CA, by
# default TLS_CA).
# With HA on, the AMQP URL lists every node of the cluster (comma-separated) and the
# PostgreSQL URL both servers, for libpq to find the one that takes writes.
amqp_url() {
  local credentials urls=() port
  credentials=$1:$(local_password amqp "$1")
  for ((port = AMQP_PORT; port < AMQP_PORT + BROKER_NODES; port++)); do
    if [[ $TLS == on ]]; then urls+=("amqps://$credentials@localhost:$port/%2F?cacertfile=${2:-$TLS_CA}")
    else urls+=("amqp://$credentials@127.0.0.1:$port/%2F"); fi
  done
  local IFS=,
  echo "${urls[*]}"
}
pg_url() {
  local hosts=127.0.0.1:$PG_PORT settings=()
  if [[ $HA == on ]]; then
    hosts+=",127.0.0.1:$((PG_PORT + 1))"
    settings+=(target_session_attrs=read-write)
  fi
  [[ $TLS == off ]] || settings+=(sslmode=verify-full "sslrootcert=${2:-$TLS_CA}")
  local IFS='&'
  echo "postgres://$1:$(local_password pg "$1")@$hosts/houshi${settings[*]:+?${settings[*]}}"
}

# web_url: the address of the pages and the API (nginx).
web_url() { if [[ $TLS == on ]]; then echo "https://localhost:$WEB_PORT"; else echo "http://127.0.0.1:$WEB_PORT"; fi; }

# ensure_tls: the local CA and the certificate of the broker, the database and nginx (for
# localhost and 127.0.0.1), made once per run dir. The CA's key stays in tls/ (mode 700).
ensure_tls() {
  private_dir "$TLS_DIR"
  make_tls_ca "$TLS_DIR"
  make_tls_server_cert "$TLS_DIR" server localhost 127.0.0.1
  # The services' HTTPS listener: the names nginx checks (as in compose) and the host's own.
  make_tls_server_cert "$TLS_DIR" services "${HOUSHI_SERVICES[@]}" localhost 127.0.0.1
}

# scheme: https when TLS is on, else http.
scheme() { if [[ $TLS == on ]]; then echo https; else echo http; fi; }

# service_url PORT: a service's own address on this host.
service_url() { echo "$(scheme)://127.0.0.1:$1"; }

# probe URL: curl's quiet GET of one of this run's addresses (trusting its CA); fails unless 2xx.
probe() { curl -fsS -o /dev/null --max-time 2 ${TLS_CA:+--cacert "$TLS_CA"} "$1" 2>/dev/null; }

# ------------------------------------------------------------------------------ packages

APT_UPDATED=
# ensure_apt [--no-install-recommends] PACKAGE...: install those not installed yet.
ensure_apt() {
  local options=() missing=() package
  [[ ${1:-} == --no-install-recommends ]] && { options+=("$1"); shift; }
  for package in "$@"; do
    [[ $(dpkg-query -W -f '${Status}' "$package" 2>/dev/null) == "install ok installed" ]] ||
      missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing packages ${missing[*]}: install them or run as root"
  log "installing ${missing[*]}"
  [[ -n $APT_UPDATED ]] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${options[@]}" "${missing[@]}" >/dev/null
}

ensure_infra_packages() {
  [[ $EUID -eq 0 ]] || die "run as root: PostgreSQL is started as user postgres with runuser"
  ensure_apt "${INFRA_PACKAGES[@]}"
}

# ensure_pip PACKAGE...: pip-install the Python packages not installed yet.
ensure_pip() {
  local missing=() package
  python3 -m pip --version >/dev/null 2>&1 || ensure_apt python3-pip
  for package in "$@"; do
    python3 -m pip show -q "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  log "pip installing ${missing[*]}"
  PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q "${missing[@]}"
}

ensure_swift() {
  if ! command -v swift >/dev/null && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH=/opt/swift/usr/bin:$PATH
  fi
  command -v swift >/dev/null || die "swift is not on PATH (install a Swift 6 toolchain)"
}

# ------------------------------------------------------------------------------ processes

# alive PID: the process exists and is not a zombie.
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
  [[ -n $state && $state != Z ]]
}

# live_pid PIDFILE WORD: print the pid in PIDFILE if that process is alive and its command
# line contains WORD (so a recycled pid is not mistaken for ours).
live_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$2"* ]] || return 1
  echo "$pid"
}

# terminate PID NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT seconds (default 30), then SIGKILL.
terminate() {
  local pid=$1 name=$2 timeout=${3:-30} i
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "$name (pid $pid) still running after ${timeout}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_ports_free() {
  local port
  for port in "$@"; do
    port_free "$port" || die "port $port is already in use (set HOUSHI_*_PORT to use others)"
  done
}

# ------------------------------------------------------------------------------- RabbitMQ

# rabbit_env: the environment that makes the RabbitMQ scripts use this run dir's node.
rabbit_env() {
  export HOME=$RABBIT_DIR/home RABBITMQ_NODENAME=$NODE \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$NODE_PORT \
    RABBITMQ_DIST_PORT=$NODE_DIST_PORT RABBITMQ_MNESIA_BASE=$RABBIT_DIR/mnesia \
    RABBITMQ_LOG_BASE=$RABBIT_DIR/log RABBITMQ_CONFIG_FILE=$RABBIT_DIR/rabbitmq.conf \
    RABBITMQ_CONF_ENV_FILE=$RABBIT_DIR/rabbitmq-env.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$RABBIT_DIR/enabled_plugins \
    RABBITMQ_PID_FILE=$RABBIT_PIDFILE ERL_EPMD_ADDRESS=127.0.0.1
}

# rabbit TOOL ARGS...: run rabbitmqctl, rabbitmq-diagnostics, ... against the node.
rabbit() {
  local tool=$1
  shift
  (rabbit_env && exec "$RABBIT_BIN/$tool" -q -n "$NODE" "$@")
}

# (the beam command line names the node home, not the node)
broker_pid() { live_pid "$RABBIT_PIDFILE" "-home $RABBIT_DIR/home"; }

start_broker() {
  if broker_pid >/dev/null; then
    log "RabbitMQ $NODE already running"
    return
  fi
  require_ports_free "$NODE_PORT" "$NODE_DIST_PORT"
  # The broker's data (quorum queue logs hold the messages, bank accounts among them), its
  # certificate's key and its logs are its user's alone: rabbitmq when run by root, else the
  # invoking user.
  [[ -z $BROKER_USER ]] || server_dir "$RABBIT_NAME" "$BROKER_USER"
  private_dir "$RABBIT_DIR"
  private_dir "$LOG_DIR"
  mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/log"
  # One cookie for the cluster: the first node's, made once.
  local cookie=$RABBIT_DIR/home/.erlang.cookie first_cookie=$RUN_DIR/rabbitmq/home/.erlang.cookie
  if [[ ! -s $cookie ]]; then
    if ((NODE_INDEX > 1)); then cat "$first_cookie" >"$cookie"; else random_password >"$cookie"; fi
    chmod 400 "$cookie"
  fi
  write_rabbitmq_conf
  : >"$RABBIT_DIR/rabbitmq-env.conf"     # ignore /etc/rabbitmq/rabbitmq-env.conf
  echo '[].' >"$RABBIT_DIR/enabled_plugins"
  [[ -z $BROKER_USER ]] || chown -R "$BROKER_USER:" "$RABBIT_DIR"
  ln -sfn "$RABBIT_DIR/log/$NODE.log" "$LOG_DIR/$RABBIT_NAME.log"
  rm -f "$RABBIT_PIDFILE"
  log "starting RabbitMQ $NODE on 127.0.0.1:$NODE_PORT${BROKER_USER:+ as $BROKER_USER}"
  (rabbit_env && cd "$RABBIT_DIR" && exec_as "$BROKER_USER" nohup "$RABBIT_BIN/rabbitmq-server" \
    >>"$LOG_DIR/rabbitmq.out" 2>&1 </dev/null) &
  rabbit rabbitmqctl wait --timeout 90 "$RABBIT_PIDFILE" >/dev/null ||
    die "RabbitMQ did not start; see $LOG_DIR/rabbitmq.out and $LOG_DIR/$RABBIT_NAME.log"
}

# start_brokers: every node; with HA, nodes 2 and 3 join the first node's cluster once (a node
# that left or was killed rejoins by itself when started again).
start_brokers() {
  local i first="houshi-$AMQP_PORT@localhost"
  for ((i = 1; i <= BROKER_NODES; i++)); do
    select_broker_node "$i"
    start_broker
    if ((i > 1)) && ! rabbit rabbitmqctl cluster_status | grep -q "$first"; then
      log "RabbitMQ $NODE joins the cluster of $first"
      # (their warnings about the node's fresh state go to its start-up log)
      { rabbit rabbitmqctl stop_app && rabbit rabbitmqctl reset && rabbit rabbitmqctl join_cluster "$first" &&
          rabbit rabbitmqctl start_app; } >>"$LOG_DIR/rabbitmq.out" 2>&1 ||
        die "RabbitMQ $NODE could not join the cluster; see $LOG_DIR/rabbitmq.out"
    fi
  done
  select_broker_node 1
}

stop_brokers() {
  local i
  for ((i = BROKER_NODES; i >= 1; i--)); do
    select_broker_node "$i"
    stop_broker
  done
  select_broker_node 1
}

# select_live_broker_node: the first node that runs (the cluster-wide commands work on any).
select_live_broker_node() {
  local i
  for ((i = 1; i <= BROKER_NODES; i++)); do
    select_broker_node "$i"
    broker_pid >/dev/null && return 0
  done
  die "no RabbitMQ node runs"
}

# write_rabbitmq_conf: the node listens on 127.0.0.1:AMQP_PORT, with TLS only (TLS 1.2 or 1.3,
# a copy of the server certificate of tls/ in the broker's folder) when TLS is on.
write_rabbitmq_conf() {
  if [[ $TLS == on ]]; then
    ensure_tls
    mkdir -p "$RABBIT_DIR/tls"
    install -m 600 "$TLS_CA" "$TLS_DIR/server.pem" "$TLS_DIR/server.key" "$RABBIT_DIR/tls/"
    cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
listeners.tcp = none
listeners.ssl.default = 127.0.0.1:$NODE_PORT
ssl_options.cacertfile = $RABBIT_DIR/tls/ca.pem
ssl_options.certfile = $RABBIT_DIR/tls/server.pem
ssl_options.keyfile = $RABBIT_DIR/tls/server.key
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
EOF
  else
    echo "listeners.tcp.default = 127.0.0.1:$NODE_PORT" >"$RABBIT_DIR/rabbitmq.conf"
  fi
  # In a cluster, the side of a partition with fewer nodes stops rather than diverge.
  ((BROKER_NODES == 1)) || echo "cluster_partition_handling = pause_minority" >>"$RABBIT_DIR/rabbitmq.conf"
}

stop_broker() {
  local pid
  if pid=$(broker_pid); then terminate "$pid" "RabbitMQ $NODE" 60; fi
  rm -f "$RABBIT_PIDFILE"
  stop_epmd_if_unused
}

# epmd (port 4369) is shared by every Erlang node on the machine: stop it only when no node
# is registered (`epmd -kill` refuses otherwise too).
stop_epmd_if_unused() {
  local names
  names=$(epmd -names 2>/dev/null) || return 0
  if [[ $names == *"name "* ]]; then
    log "epmd left running for the other Erlang nodes"
  else
    epmd -kill >/dev/null 2>&1 || true
  fi
}

# provision_broker: users and permissions (idempotent); remove the default guest user.
provision_broker() {
  local definitions=$SECRETS_DIR/rabbitmq-definitions.json
  private_dir "$SECRETS_DIR"
  (umask 077 && broker_definitions local_password >"$definitions")
  rabbit rabbitmqctl import_definitions "$definitions" >/dev/null
  rm -f "$definitions"
  local users
  users=$(rabbit rabbitmqctl list_users)
  if grep -q '^guest\b' <<<"$users"; then
    rabbit rabbitmqctl delete_user guest >/dev/null
  fi
}

# ----------------------------------------------------------------------------- PostgreSQL

# as_postgres COMMAND ARGS...: run a PostgreSQL server program as user postgres.
as_postgres() {
  local bin
  bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin | sort -V | tail -n 1)
  (cd / && runuser -u postgres -- "$bin/$1" "${@:2}")
}

postgres_running() {
  [[ -f $PG_DATA/PG_VERSION ]] && as_postgres pg_ctl -D "$PG_DATA" status >/dev/null 2>&1
}

# admin_psql ARGS...: psql as the superuser over the run dir's unix socket, on the primary.
admin_psql() {
  [[ $HA == off ]] || select_pg_primary
  psql -X -h "$PG_SOCKET" -p "$PG_SERVER_PORT" -U postgres "$@"
}

# server_psql ARGS...: psql as the superuser on the selected server, whatever its role.
server_psql() { psql -X -h "$PG_SOCKET" -p "$PG_SERVER_PORT" -U postgres -d postgres -tAq "$@"; }

# in_recovery: true when the selected server runs as a standby.
in_recovery() { [[ $(server_psql -c "SELECT pg_is_in_recovery()" 2>/dev/null) == t ]]; }

# running_primary: true when the selected server runs and takes writes (a server that does not
# answer is neither this nor in_recovery).
running_primary() { postgres_running && [[ $(server_psql -c "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]; }

# select_pg_primary: select the server that runs and takes writes; dies when none does.
select_pg_primary() {
  local i
  for ((i = 1; i <= PG_SERVERS; i++)); do
    select_pg_server "$i"
    if running_primary; then return 0; fi
  done
  die "no PostgreSQL primary runs (after a failover: deploy/local/infra promote-standby)"
}

# The suite writes much and in small transactions: buffers that hold its working set (the
# default 128 MB made backends write out dirty pages themselves), and checkpoints far apart
# (after each one, every page's first change goes into the WAL whole: with the default 1 GB
# max_wal_size that was 17 full pages, 150 kB of WAL, per case). And tables analyzed when half
# as many rows again changed, not a tenth: the services' tables grow by appending and are read by
# key, and between analyzes the planner scales a table's row count by its current size, so the
# default's sampling (every row read about ten times as a table grows) bought nothing and cost
# about a tenth of PostgreSQL's CPU under load (perf: 5.8 % of the machine in autovacuum's
# ANALYZE; 3,000 cases on deploy/local/up: 5.6-6.0 ms of PostgreSQL CPU per case against 6.5).
PG_SERVER_SETTINGS="-c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min -c autovacuum_analyze_scale_factor=0.5"

start_postgres() {
  if postgres_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_SERVER_PORT"
    return
  fi
  require_ports_free "$PG_SERVER_PORT"
  make_pg_dir
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "creating the PostgreSQL cluster in $PG_DATA"
    as_postgres initdb -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >>"$PG_LOG"
  fi
  write_pg_hba
  local tls_settings=
  if [[ $TLS == on ]]; then
    # The server reads its key as user postgres, which also insists on mode 600.
    ensure_tls
    install -o postgres -g postgres -m 600 "$TLS_DIR/server.pem" "$TLS_DIR/server.key" "$PG_DIR/"
    tls_settings="-c ssl=on -c ssl_cert_file=$PG_DIR/server.pem -c ssl_key_file=$PG_DIR/server.key -c ssl_min_protocol_version=TLSv1.2"
  fi
  local role=
  [[ ! -f $PG_DATA/standby.signal ]] || role=" (standby)"
  log "starting PostgreSQL on 127.0.0.1:$PG_SERVER_PORT$role"
  as_postgres pg_ctl -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_SERVER_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 $PG_SERVER_SETTINGS $tls_settings" start >/dev/null ||
    die "PostgreSQL did not start; see $PG_LOG"
}

# The unix socket (reachable by root and postgres only) trusts; TCP needs a password, and TLS
# when TLS is on (hostssl: a plain TCP connection is refused).
write_pg_hba() {
  local roles=() svc type=host
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do roles+=("$(db_role "$svc")"); done
  [[ $TLS == on ]] && type=hostssl
  local IFS=,
  cat >"$PG_DATA/pg_hba.conf" <<EOF
# Written by deploy/local/lib.sh on every start.
# TYPE   DATABASE     USER        ADDRESS       METHOD
local    all          all                       trust
local    replication  postgres                  trust
$type  all       postgres    127.0.0.1/32  scram-sha-256
$type  houshi    ${roles[*]}  127.0.0.1/32  scram-sha-256
EOF
  chown postgres: "$PG_DATA/pg_hba.conf"
  chmod 600 "$PG_DATA/pg_hba.conf"
}

stop_postgres() {
  if postgres_running; then
    log "stopping PostgreSQL on 127.0.0.1:$PG_SERVER_PORT"
    as_postgres pg_ctl -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
  fi
}

# The standby's name on the primary (application_name, synchronous_standby_names).
STANDBY_NAME=houshi_standby

# start_postgres_servers: every server. With HA, the second is made a streaming standby of the
# first on first start, and the primary waits for it on every commit (synchronous replication).
# A stopped server that was the primary before a failover is not started: it would be a second
# primary; `rebuild-standby` makes it the new primary's standby.
start_postgres_servers() {
  local i
  for ((i = 1; i <= PG_SERVERS; i++)); do
    select_pg_server "$i"
    if postgres_running; then log "PostgreSQL already running on 127.0.0.1:$PG_SERVER_PORT"; continue; fi
    if ((i > 1)) && [[ ! -f $PG_DATA/PG_VERSION ]]; then
      make_standby_of 1
    elif ((PG_SERVERS > 1)) && superseded_primary "$i"; then
      log "PostgreSQL on 127.0.0.1:$PG_SERVER_PORT was the primary before a failover: not started (deploy/local/infra rebuild-standby)"
      continue
    fi
    start_postgres
  done
  # (without a standby, commits must not wait for one: a superseded primary left stopped)
  ((PG_SERVERS == 1)) || ! standby_running || require_synchronous_standby
  select_pg_server 1
}

# standby_running: true when a server runs as a standby.
standby_running() {
  local i
  for ((i = 1; i <= PG_SERVERS; i++)); do
    (select_pg_server "$i" && postgres_running && in_recovery) && return 0
  done
  return 1
}

stop_postgres_servers() {
  local i
  for ((i = PG_SERVERS; i >= 1; i--)); do
    select_pg_server "$i"
    stop_postgres
  done
  select_pg_server 1
}

# superseded_primary N: true when server N (selected) was a primary that another one replaced:
# another server runs as the primary, or has primary's data (no standby.signal) on a later
# timeline (each promotion begins a new one).
superseded_primary() {
  [[ -f $PG_DATA/PG_VERSION && ! -f $PG_DATA/standby.signal ]] || return 1
  local i own other
  own=$(timeline)
  for ((i = 1; i <= PG_SERVERS; i++)); do
    ((i == $1)) && continue
    # (a running server that does not answer counts as a primary: better not start this one)
    (select_pg_server "$i" && postgres_running && ! in_recovery) && return 0
    # (the subshells select the other server; this one stays selected)
    other=$(select_pg_server "$i"
      if ! postgres_running && [[ -f $PG_DATA/PG_VERSION && ! -f $PG_DATA/standby.signal ]]; then timeline; fi)
    [[ -n $other ]] && ((other > own)) && return 0
  done
  return 1
}

# timeline: the selected server's timeline, from its control file.
timeline() { as_postgres pg_controldata -D "$PG_DATA" | sed -n "s/^Latest checkpoint's TimeLineID: *//p"; }

# make_standby_of N: replace the selected server's data with a base backup of server N, set to
# stream from it under STANDBY_NAME.
make_standby_of() {
  local standby=$PG_INDEX source_socket source_port
  select_pg_server "$1"
  source_socket=$PG_SOCKET source_port=$PG_SERVER_PORT
  select_pg_server "$standby"
  make_pg_dir
  log "making PostgreSQL on 127.0.0.1:$PG_SERVER_PORT a standby of 127.0.0.1:$source_port"
  rm -rf "$PG_DATA"
  as_postgres pg_basebackup -h "$source_socket" -p "$source_port" -U postgres -D "$PG_DATA" -X stream -c fast \
    >>"$PG_LOG" 2>&1 || die "pg_basebackup failed; see $PG_LOG"
  # (the primary's own settings came with the backup: a standby ignores synchronous_standby_names)
  echo "primary_conninfo = 'host=$source_socket port=$source_port user=postgres application_name=$STANDBY_NAME'" \
    >>"$PG_DATA/postgresql.auto.conf"
  touch "$PG_DATA/standby.signal"
  chown postgres: "$PG_DATA/standby.signal"
}

# require_synchronous_standby: on the primary, commits wait for the standby (once it streams).
require_synchronous_standby() {
  select_pg_primary
  server_psql -c "ALTER SYSTEM SET synchronous_standby_names = '$STANDBY_NAME'" -c "SELECT pg_reload_conf()" >/dev/null
}

# promote_standby: the standby takes writes; with no standby of its own, its commits stop
# waiting for one (synchronous_standby_names came with its base backup).
promote_standby() {
  local i
  for ((i = 1; i <= PG_SERVERS; i++)); do
    select_pg_server "$i"
    if postgres_running && in_recovery; then
      log "promoting the standby on 127.0.0.1:$PG_SERVER_PORT"
      as_postgres pg_ctl -D "$PG_DATA" -w -t 60 promote >/dev/null
      server_psql -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
      return 0
    fi
  done
  die "no standby runs"
}

# rebuild_standby: make the stopped server (the old primary after a failover) a standby of the
# running primary, from a fresh base backup, and make the primary's commits wait for it again.
rebuild_standby() {
  local primary i
  select_pg_primary
  primary=$PG_INDEX
  for ((i = 1; i <= PG_SERVERS; i++)); do
    ((i == primary)) && continue
    select_pg_server "$i"
    if postgres_running; then
      in_recovery || die "PostgreSQL on 127.0.0.1:$PG_SERVER_PORT is a second primary: stop it first"
      log "PostgreSQL on 127.0.0.1:$PG_SERVER_PORT already runs as a standby"
      continue
    fi
    make_standby_of "$primary"
    start_postgres
  done
  require_synchronous_standby
}

# ----------------------------------------------------------------------- infra as a whole

# write_env_files: env/<service>.env for each service and env/admin.env (KEY=value lines, for
# `set -a; . FILE`: the URLs are single-quoted, as PostgreSQL's hold a `&`). With a service
# user, the services' files name the copies in SERVICE_DIR they can read.
write_env_files() {
  private_dir "$ENV_DIR"
  local svc ca=$TLS_CA seal_key certificate=$TLS_DIR/services.pem key=$TLS_DIR/services.key
  seal_key=$(seal_key_file)
  [[ $TLS == off ]] || ensure_tls
  if [[ -n $SERVICE_DIR ]]; then
    make_service_dir
    [[ $TLS == off ]] || ca=$(service_file "$TLS_CA") certificate=$(service_file "$certificate") key=$(service_file "$key")
    seal_key=$(service_file "$seal_key")
  fi
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do
    write_file "$ENV_DIR/$svc.env" <<EOF
HOUSHI_AMQP_URL='$(amqp_url "$(broker_user "$svc")" "$ca")'
HOUSHI_DATABASE_URL='$(pg_url "$(db_role "$svc")" "$ca")'
HOUSHI_HTTP_HOST=127.0.0.1
HOUSHI_HTTP_PORT=$(service_port "$svc")
HOUSHI_LOG_FORMAT=$LOG_FORMAT
HOUSHI_PUBLIC_URL=$(web_url)
EOF
    [[ $TLS == off ]] || printf 'HOUSHI_HTTP_TLS_CERT=%s\nHOUSHI_HTTP_TLS_KEY=%s\n' "$certificate" "$key" >>"$ENV_DIR/$svc.env"
    if [[ -n $SERVICE_DIR ]]; then
      # The data and pages as the image has them (deploy/Dockerfile), from the installed tree.
      cat >>"$ENV_DIR/$svc.env" <<EOF
HOUSHI_CALENDAR_DIR=$SERVICE_DIR/share/calendar
HOUSHI_BENEFIT_RULES=$SERVICE_DIR/share/benefit-rules.json
HOUSHI_OPENAPI_FILE=$SERVICE_DIR/share/openapi.yaml
HOUSHI_PAGES_DIR=$SERVICE_DIR/share/pages
EOF
    fi
  done
  echo "HOUSHI_SEAL_KEY_FILE=$seal_key" >>"$ENV_DIR/intake.env"
  write_file "$ENV_DIR/admin.env" <<EOF
HOUSHI_AMQP_ADMIN_URL='$(amqp_url "$HOUSHI_BROKER_ADMIN")'
HOUSHI_DATABASE_ADMIN_URL='$(pg_url postgres)'
HOUSHI_RUN_DIR=$RUN_DIR
HOUSHI_AMQP_PORT=$AMQP_PORT
HOUSHI_AMQP_DIST_PORT=$AMQP_DIST_PORT
HOUSHI_PG_PORT=$PG_PORT
HOUSHI_HTTP_BASE_PORT=$HTTP_BASE_PORT
HOUSHI_WEB_PORT=$WEB_PORT
HOUSHI_LOG_FORMAT=$LOG_FORMAT
HOUSHI_TLS=$TLS
HOUSHI_HA=$HA
HOUSHI_TLS_CA=$TLS_CA
HOUSHI_WEB_URL=$(web_url)
HOUSHI_RABBITMQ_NODE=$NODE
HOUSHI_INFRA=$HOUSHI_REPO/deploy/local/infra
HOUSHI_SERVICE_USER=${SERVICE_DIR:+$SERVICE_USER}
EOF
}

# ------------------------------------------------------------------ the services' own user

# Run by root, the services run as the unprivileged system user houshi (made on first use),
# from SERVICE_DIR (/var/lib/houshi/service-<hash of the run dir>, mode 700, houshi's): bin/
# (the build's four executables), share/ (the data and pages they read, laid out as in the
# image) and the CA and seal key their env files name. Run by anyone else, they run as that
# user, from the build and the source tree.
SERVICE_USER=houshi

# make_service_dir: the user and SERVICE_DIR, with the CA and the seal key copied in.
make_service_dir() {
  id -u "$SERVICE_USER" >/dev/null 2>&1 ||
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
  mkdir -p "$SERVICE_DIR"
  chown "$SERVICE_USER:" "$SERVICE_DIR"
  chmod 700 "$SERVICE_DIR"
  local file
  for file in "$(seal_key_file)" $([[ $TLS == off ]] || echo "$TLS_CA $TLS_DIR/services.pem $TLS_DIR/services.key"); do
    install -o "$SERVICE_USER" -g "$SERVICE_USER" -m 600 "$file" "$(service_file "$file")"
  done
}

# service_file PATH: where the services' copy of the file PATH is.
service_file() { echo "$SERVICE_DIR/$(basename "$1")"; }

# install_services BIN_DIR: with a service user, the executables of BIN_DIR (those that
# changed) and the data and pages they read into SERVICE_DIR; run after every build.
install_services() {
  [[ -n $SERVICE_DIR ]] || return 0
  make_service_dir
  local svc share=$SERVICE_DIR/share
  install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 700 "$SERVICE_DIR/bin"
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do
    cmp -s "$1/$svc" "$SERVICE_DIR/bin/$svc" ||
      install -o "$SERVICE_USER" -g "$SERVICE_USER" -m 700 "$1/$svc" "$SERVICE_DIR/bin/$svc"
  done
  rm -rf "$share"
  mkdir -p "$share/pages"/{web,intake,public-security,civil-affairs,social-security}
  cp -r "$HOUSHI_REPO/Services/PublicSecurity/Calendar" "$share/calendar"
  cp "$HOUSHI_REPO/Services/SocialSecurity/Rules/benefit-rules.json" "$HOUSHI_REPO/Services/Intake/openapi.yaml" "$share/"
  local pair source kind
  for pair in Shared/Web:web Services/Intake/Pages:intake Services/PublicSecurity/Pages:public-security \
    Services/CivilAffairs/Pages:civil-affairs Services/SocialSecurity/Pages:social-security; do
    source=$HOUSHI_REPO/${pair%%:*}
    for kind in Templates Static; do
      [[ ! -d $source/$kind ]] || cp -r "$source/$kind" "$share/pages/${pair#*:}/${kind,,}"
    done
  done
  chown -R "$SERVICE_USER:" "$share"
  chmod -R go-rwx "$share"
}

# service_bin_dir BIN_DIR: where the services built in BIN_DIR start from.
service_bin_dir() { if [[ -n $SERVICE_DIR ]]; then echo "$SERVICE_DIR/bin"; else echo "$1"; fi; }

# exec_as USER COMMAND...: exec COMMAND as USER without capabilities (setpriv execs it: the pid
# stays the command's), or as it is when USER is empty.
exec_as() {
  local user=$1
  shift
  [[ -z $user ]] || exec setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all -- "$@"
  exec "$@"
}

# as_service_user COMMAND...: COMMAND as the service user when there is one (HOME its folder, as
# libpq looks there for client files), else as it is.
as_service_user() {
  [[ -z $SERVICE_DIR ]] || export HOME=$SERVICE_DIR
  exec_as "${SERVICE_DIR:+$SERVICE_USER}" "$@"
}

# private_dir DIR: create DIR (mode 700) for secrets, data and logs.
private_dir() {
  mkdir -p "$1"
  chmod 700 "$1"
}

# write_file PATH: stdin to PATH (mode 600), replaced atomically.
write_file() {
  (umask 077 && cat >"$1.tmp")
  mv "$1.tmp" "$1"
}

start_broker_provisioned() {
  start_brokers
  provision_broker
  write_env_files
}

start_postgres_provisioned() {
  start_postgres_servers
  select_pg_primary
  provision_database local_password -h "$PG_SOCKET" -p "$PG_SERVER_PORT" -U postgres -d postgres
  write_env_files
}

infra_start() {
  ensure_infra_packages
  start_broker_provisioned
  start_postgres_provisioned
  log "infrastructure ready: env files in $ENV_DIR"
}

infra_stop() {
  stop_postgres_servers
  stop_brokers
}

# infra_destroy: stop, then delete this run dir's data, secrets, env files and logs
# (only the known subfolders: <repo>/.run/test may live inside the default run dir).
infra_destroy() {
  stop_nginx
  stop_services
  infra_stop
  local name real=()
  for name in rabbitmq rabbitmq-2 rabbitmq-3 postgres postgres-2 nginx; do real+=("$(realpath -m "$RUN_DIR/$name")"); done
  rm -rf "$RUN_DIR"/{rabbitmq,rabbitmq-2,rabbitmq-3,postgres,postgres-2,secrets,env,logs,pids,nginx,tls,demo-token,demo-staff-password} \
    "${real[@]}" ${SERVICE_DIR:+"$SERVICE_DIR"}
}

# ------------------------------------------------------------------------------ services

# register_demo_institution BIN_DIR: a medical institution to post notices with; its bearer
# token goes to RUN_DIR/demo-token, kept while the database still knows it.
register_demo_institution() {
  local token_file=$RUN_DIR/demo-token known
  if [[ -s $token_file && $(admin_psql -d houshi -tAq -c "SELECT to_regclass('intake.institutions') IS NOT NULL") == t ]]
  then
    # (psql substitutes -v variables in SQL it reads, not in -c: the statement goes on stdin)
    known=$(admin_psql -d houshi -tAq -v ON_ERROR_STOP=1 -v token="$(cat "$token_file")" <<'SQL'
SELECT count(*) FROM intake.institutions WHERE token_sha256 = sha256(convert_to(:'token', 'UTF8'))
SQL
    )
    [[ $known == 1 ]] && { log "the demo institution's token in $token_file is still valid"; return; }
  fi
  log "registering the demo institution (token in $token_file)"
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/intake.env"
    umask 077
    "$1/intake" institutions add --code "$DEMO_INSTITUTION_CODE" --name "$DEMO_INSTITUTION_NAME" \
      >"$token_file"
  )
}

# register_demo_staff BIN_DIR: a staff login of the demo institution, for its pages. The
# password is generated once into RUN_DIR/demo-staff-password and given on every run (the
# command resets an existing login's password to it), so every `up` prints the same login,
# also after the database was emptied.
register_demo_staff() {
  local password_file=$RUN_DIR/demo-staff-password
  if [[ ! -s $password_file ]]; then
    (umask 077 && { random_password; echo; } >"$password_file")
  fi
  log "registering the demo staff login $DEMO_STAFF_LOGIN (password in $password_file)"
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/intake.env"
    umask 077
    # (it prints the login and the password: both known here)
    exec "$1/intake" staff add --institution "$DEMO_INSTITUTION_CODE" --name "$DEMO_STAFF_NAME" \
      --login "$DEMO_STAFF_LOGIN" --password-file "$password_file" >/dev/null
  )
}

# register_demo_officers BIN_DIR: a reviewer of each department (gongan-demo, minzheng-demo,
# renshe-demo) and a clerk of civil affairs (minzheng-clerk), with the demo staff's password.
register_demo_officers() {
  local password_file=$RUN_DIR/demo-staff-password
  log "registering the demo officers: ${DEMO_OFFICERS[*]} and minzheng-clerk (password in $password_file)"
  local service
  for service in public-security civil-affairs social-security; do
    run_admin "$service" "$1" officers add --name "演示审核员" --role reviewer \
      --login "$(demo_officer_login "$service")" --password-file "$password_file"
  done
  run_admin civil-affairs "$1" officers add --name "演示经办员" --role clerk --login minzheng-clerk \
    --password-file "$password_file"
}

# demo_officer_login SERVICE: the demo reviewer's login of a department.
demo_officer_login() {
  case $1 in
    public-security) echo gongan-demo ;;
    civil-affairs) echo minzheng-demo ;;
    social-security) echo renshe-demo ;;
  esac
}
DEMO_OFFICERS=(gongan-demo minzheng-demo renshe-demo)

# demo_staff_password: the password register_demo_staff gave.
demo_staff_password() { head -n 1 "$RUN_DIR/demo-staff-password"; }

# load_demo_registers BIN_DIR: the departments' registers of deploy/demo/, which include every
# person of shared/examples/death-notice.json (imports update in place: safe to repeat).
load_demo_registers() {
  log "loading the demo registers: residents, funeral homes, insured persons"
  run_admin public-security "$1" register import "$HOUSHI_REPO/deploy/demo/residents.csv"
  run_admin civil-affairs "$1" funeral-homes import "$HOUSHI_REPO/deploy/demo/funeral-homes.csv"
  run_admin social-security "$1" register import "$HOUSHI_REPO/deploy/demo/insured.csv"
}

# start_housing_fund BIN_DIR: the housing fund, the reference subscriber of the public facts:
# added as a subscriber (its broker user and queues), its demo accounts loaded, started.
start_housing_fund() {
  log "adding the housing fund as a subscriber of the public facts, with its demo accounts"
  subscriber_add housing-fund "$1" >/dev/null
  run_admin housing-fund "$1" accounts import "$HOUSHI_REPO/deploy/demo/housing-fund-accounts.csv"
  start_service housing-fund "$1"
  wait_ready housing-fund
}

# run_admin SERVICE BIN_DIR ARGS...: one of a service's admin commands, with its environment
# (run_admin_output: and print what it prints).
run_admin() { run_admin_output "$@" >/dev/null; }
run_admin_output() {
  local service=$1 bin_dir=$2
  shift 2
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/$service.env"
    exec "$bin_dir/$service" "$@"
  )
}

# declare_topology BIN_DIR: the exchanges and queues, declared by intake as the broker admin.
declare_topology() {
  [[ -x $1/intake ]] || die "$1/intake is missing: build first"
  log "declaring the broker topology (intake declare-topology)"
  as_broker_admin intake "$1" declare-topology
}

# start_service SERVICE BIN_DIR [REPLICA]: run it in the background with its env file, unless
# running. Replica N > 1 (for two or more consumers on one queue) has pid file and log
# <service>.N and the HTTP port of replica_port.
start_service() {
  local svc=$1 replica=${3:-1} name
  name=$(replica_name "$svc" "$replica")
  local pidfile=$PID_DIR/$name.pid port
  port=$(replica_port "$svc" "$replica")
  if live_pid "$pidfile" "$svc" >/dev/null; then
    log "$name already running (pid $(cat "$pidfile"))"
    return
  fi
  mkdir -p "$PID_DIR" "$LOG_DIR"
  log "starting $name on 127.0.0.1:$port"
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/$svc.env"
    HOUSHI_HTTP_PORT=$port
    as_service_user nohup "$(service_bin_dir "$2")/$svc" >>"$LOG_DIR/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$pidfile"
  disown $!   # no job report when it is killed
}

# replica_name SERVICE REPLICA: SERVICE for the first, SERVICE.N for the others.
replica_name() { if (($2 > 1)); then echo "$1.$2"; else echo "$1"; fi; }

# replica_port SERVICE REPLICA: service_port, plus 10 for each replica after the first.
replica_port() { echo $(($(service_port "$1") + 10 * ($2 - 1))); }

# stop_services [SERVICE...]: every process with a pid file in pids/ (<service>.pid, or
# <service>.N.pid for extra replicas) that still runs its service; only those of the SERVICEs
# when given.
stop_services() {
  local pidfile name pid
  for pidfile in "$PID_DIR"/*.pid; do
    [[ -e $pidfile ]] || continue
    name=$(basename "$pidfile" .pid)
    (($#)) && [[ " $* " != *" ${name%%.*} "* ]] && continue
    if pid=$(live_pid "$pidfile" "${name%%.*}"); then terminate "$pid" "$name" "${HOUSHI_STOP_TIMEOUT:-20}"; fi
    rm -f "$pidfile"
  done
}

# services_status: a line for each service and each extra replica with a pid file.
services_status() {
  local svc pidfile name
  for svc in "${HOUSHI_SERVICES[@]}" "${HOUSHI_SUBSCRIBER_SERVICES[@]}"; do service_status "$svc" 1; done
  for pidfile in "$PID_DIR"/*.*.pid; do
    [[ -e $pidfile ]] || continue
    name=$(basename "$pidfile" .pid)
    service_status "${name%%.*}" "${name#*.}"
  done
}

# service_status SERVICE REPLICA: ready, running but not ready, or stopped, judged from its
# port (so a service started some other way shows too), with the pid when up started it.
service_status() {
  local svc=$1 name port pid state
  name=$(replica_name "$svc" "$2")
  port=$(replica_port "$svc" "$2")
  if probe "$(service_url "$port")/readyz"; then state=ready
  elif probe "$(service_url "$port")/healthz"; then state="running, not ready"
  else state=stopped; fi
  if pid=$(live_pid "$PID_DIR/$name.pid" "$svc"); then state+=" (pid $pid)"; fi
  echo "$name: $state, 127.0.0.1:$port"
}

# wait_ready SERVICE [REPLICA]: until GET /readyz answers 200 (HOUSHI_READY_TIMEOUT seconds,
# default 120).
wait_ready() {
  local svc=$1 replica=${2:-1} name url pid timeout=${HOUSHI_READY_TIMEOUT:-120}
  name=$(replica_name "$svc" "$replica")
  url=$(service_url "$(replica_port "$svc" "$replica")")/readyz
  pid=$(cat "$PID_DIR/$name.pid")
  local deadline=$((SECONDS + timeout))
  until probe "$url"; do
    alive "$pid" || die "$name exited during start-up; see $LOG_DIR/$name.log"
    ((SECONDS < deadline)) || die "$name not ready at $url after ${timeout}s; see $LOG_DIR/$name.log"
    sleep 0.5
  done
}

# --------------------------------------------------------------------------- subscribers

# subscriber_add NAME BIN_DIR: the subscriber's broker user subscriber.NAME, its permissions
# (intake subscribers definitions: from the contract's Topology), its queues (intake subscribers
# declare, as the broker admin) and subscribers/NAME.env, its HOUSHI_AMQP_URL (mode 600).
# Idempotent: the password stays that of secrets/amqp-subscriber.NAME. Prints the env file.
subscriber_add() {
  local name=$1 bin_dir=$2 definitions env_file
  select_live_broker_node
  private_dir "$SECRETS_DIR"
  definitions=$SECRETS_DIR/subscriber-$name-definitions.json
  (umask 077 && local_password amqp "subscriber.$name" | run_admin_output intake "$bin_dir" subscribers definitions "$name" \
    >"$definitions") || { rm -f "$definitions"; return 1; }
  rabbit rabbitmqctl import_definitions "$definitions" >/dev/null || { rm -f "$definitions"; return 1; }
  rm -f "$definitions"
  as_broker_admin intake "$bin_dir" subscribers declare "$name" >&2
  private_dir "$RUN_DIR/subscribers"
  env_file=$RUN_DIR/subscribers/$name.env
  (umask 077 && echo "HOUSHI_AMQP_URL=$(amqp_url "subscriber.$name")" >"$env_file")
  echo "$env_file"
}

# subscriber_remove NAME BIN_DIR: the user and both queues with what they hold, and the env
# file. The password stays in secrets/ (it opens nothing without the user), so that adding the
# subscriber again gives the same one, which the housing fund's env file names.
subscriber_remove() {
  local name=$1 bin_dir=$2
  select_live_broker_node
  if rabbit rabbitmqctl -q list_users | cut -f1 | grep -qx "subscriber.$name"; then
    rabbit rabbitmqctl delete_user "subscriber.$name" >/dev/null
  fi
  as_broker_admin intake "$bin_dir" subscribers delete "$name" >&2
  rm -f "$RUN_DIR/subscribers/$name.env"
}

# subscribers_list: each subscriber's queue with its messages ready and its consumers.
subscribers_list() {
  select_live_broker_node
  rabbit rabbitmqctl -q list_queues name messages_ready consumers | awk '$1 ~ /^subscriber\./'
}

# as_broker_admin SERVICE BIN_DIR ARGS...: one of a service's commands with its environment but
# the broker administrator's URL.
as_broker_admin() {
  local service=$1 bin_dir=$2
  shift 2
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/$service.env"
    export HOUSHI_AMQP_URL
    HOUSHI_AMQP_URL=$(amqp_url "$HOUSHI_BROKER_ADMIN")
    exec "$bin_dir/$service" "$@"
  )
}

# ---------------------------------------------------------------------------------- nginx

# One address for the pages and the API: nginx on 127.0.0.1:WEB_PORT in front of the services,
# configured by deploy/nginx/houshi.conf (shared with docker-compose.yml). Its pid file and
# temporary files are in NGINX_DIR (its prefix), its logs in LOG_DIR.

# nginx_cmd ARGS...: nginx with this run dir's prefix and rendered config.
nginx_cmd() { nginx -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" "$@"; }

# (the master's command line names the prefix)
nginx_pid() { live_pid "$NGINX_DIR/nginx.pid" "-p $NGINX_DIR/"; }

# render_nginx_conf: NGINX_DIR/nginx.conf from the template, with this run's values. envsubst
# is given the template's HOUSHI_ placeholders only, so nginx's own $variables stay.
render_nginx_conf() {
  local template=$HOUSHI_REPO/deploy/nginx/houshi.conf
  # Run by root, the workers (which read requests and write their bodies to temporary files
  # under NGINX_DIR) run as www-data; the master, root, reads the keys and opens the logs.
  [[ $EUID -ne 0 ]] || server_dir nginx www-data
  mkdir -p "$NGINX_DIR" "$LOG_DIR"
  (
    local listen=127.0.0.1:$WEB_PORT
    [[ $TLS == off ]] || listen+=" ssl"
    ensure_tls
    local workers=www-data upstream_scheme
    [[ $EUID -eq 0 ]] || workers=$(id -un)
    upstream_scheme=$(scheme)
    export HOUSHI_NGINX_USER=$workers HOUSHI_NGINX_LISTEN=$listen \
      HOUSHI_NGINX_CERTIFICATE=$TLS_DIR/server.pem HOUSHI_NGINX_CERTIFICATE_KEY=$TLS_DIR/server.key \
      HOUSHI_NGINX_ACCESS_LOG=$LOG_DIR/nginx-access.log \
      HOUSHI_NGINX_ERROR_LOG=$LOG_DIR/nginx-error.log \
      HOUSHI_NGINX_RESOLVER=127.0.0.1 \
      HOUSHI_UPSTREAM_SCHEME=$upstream_scheme HOUSHI_UPSTREAM_CA=$TLS_CA
    # (the resolver is never asked: the upstreams are addresses)
    local svc var names
    for svc in "${HOUSHI_SERVICES[@]}"; do
      var=HOUSHI_UPSTREAM_${svc^^}
      export "${var//-/_}=127.0.0.1:$(service_port "$svc")"
    done
    # shellcheck disable=SC2016  # (the placeholders themselves, unexpanded)
    names=$(grep -o '${HOUSHI_[A-Z_]*}' "$template" | sort -u)
    for var in $names; do
      var=${var:2:-1}
      [[ -n ${!var:-} ]] || die "$template uses $var, which render_nginx_conf does not set"
    done
    envsubst "$names" <"$template" >"$NGINX_DIR/nginx.conf"
  )
}

# start_nginx: unless running, render and check the config, start nginx (it forks into the
# background once its port is bound) and wait until its /healthz answers.
start_nginx() {
  if nginx_pid >/dev/null; then
    log "nginx already running on 127.0.0.1:$WEB_PORT"
    return
  fi
  require_ports_free "$WEB_PORT"
  render_nginx_conf
  nginx_cmd -t -q || die "nginx rejects $NGINX_DIR/nginx.conf (from deploy/nginx/houshi.conf)"
  log "starting nginx on 127.0.0.1:$WEB_PORT"
  nginx_cmd -g 'daemon on;' </dev/null || die "nginx did not start; see $LOG_DIR/nginx-error.log"
  local deadline=$((SECONDS + 10))
  until probe "$(web_url)/healthz"; do
    ((SECONDS < deadline)) || die "nginx does not answer on 127.0.0.1:$WEB_PORT; see $LOG_DIR/nginx-error.log"
    sleep 0.2
  done
}

# stop_nginx: a graceful stop (SIGQUIT: requests under way are answered first), then
# terminate's SIGTERM and SIGKILL if it still runs after 10 s.
stop_nginx() {
  local pid i
  if pid=$(nginx_pid); then
    log "stopping nginx (pid $pid)"
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then terminate "$pid" nginx 10; fi
  fi
  rm -f "$NGINX_DIR/nginx.pid"
}

# ------------------------------------------------------------------ load runs (chaos, bench)

# select_binaries CONFIG: BIN_DIR is HOUSHI_BIN_DIR when set, else a fresh `swift build -c CONFIG`.
select_binaries() {
  if [[ -n ${HOUSHI_BIN_DIR:-} ]]; then
    BIN_DIR=$HOUSHI_BIN_DIR
  else
    log "building ($1)"
    (cd "$HOUSHI_REPO" && swift build -c "$1")
    BIN_DIR=$(cd "$HOUSHI_REPO" && swift build -c "$1" --show-bin-path)
  fi
  install_services "$BIN_DIR"
}

# houshi_load ARGS...: the load tool of BIN_DIR with the administrator's URLs (admin.env).
houshi_load() {
  (
    set -a
    # shellcheck source=/dev/null
    . "$ENV_DIR/admin.env"
    exec "$BIN_DIR/houshi-load" "$@"
  )
}

# post_notices ARGS...: `houshi-load post ARGS...` to intake directly (its URL, trusting the
# run's CA), with the demo institution's token.
post_notices() {
  local tls=()
  [[ $TLS == off ]] || tls=(--ca-file "$TLS_CA")
  houshi_load post --intake "$(service_url "$(service_port intake)")" "${tls[@]}" --token-file "$RUN_DIR/demo-token" "$@"
}

# prepare_load CASES: the topology, the demo institution, and the registers for CASES synthetic
# cases (houshi-load registers) with the demo funeral homes, loaded by the services' imports.
prepare_load() {
  declare_topology "$BIN_DIR"
  register_demo_institution "$BIN_DIR"
  houshi_load registers --cases "$1" --output "$RUN_DIR/registers" >&2
  log "loading the registers for $1 cases"
  run_admin public-security "$BIN_DIR" register import "$RUN_DIR/registers/residents.csv"
  run_admin social-security "$BIN_DIR" register import "$RUN_DIR/registers/insured.csv"
  run_admin civil-affairs "$BIN_DIR" funeral-homes import "$HOUSHI_REPO/deploy/demo/funeral-homes.csv"
}

# replicas SERVICE: how many processes of it run (intake one, a department REPLICAS).
replicas() { if [[ $1 == intake ]]; then echo 1; else echo "$REPLICAS"; fi; }

# start_replicas SERVICE...: every replica of each, from BIN_DIR; returns once all are ready.
start_replicas() {
  local svc r
  for svc in "$@"; do
    for ((r = 1; r <= $(replicas "$svc"); r++)); do start_service "$svc" "$BIN_DIR" "$r"; done
  done
  for svc in "$@"; do
    for ((r = 1; r <= $(replicas "$svc"); r++)); do wait_ready "$svc" "$r"; done
  done
}

# sql QUERY: the value of a one-value query on database houshi, as the superuser.
sql() { admin_psql -d houshi -tAq -c "$1"; }
