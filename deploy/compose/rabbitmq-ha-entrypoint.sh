#!/usr/bin/env bash
# Entrypoint of the RabbitMQ nodes in docker-compose.ha.yml, run as root: installs the cluster's
# shared Erlang cookie from its secret as /var/lib/rabbitmq/.erlang.cookie (owned by rabbitmq,
# mode 400: Erlang refuses a cookie that others may read), then runs the image's own entrypoint
# with the command (rabbitmq-server), which steps down to the rabbitmq user. Done at every start,
# so the cookie is always the secret's, never one a node made itself.
set -euo pipefail
install -o rabbitmq -g rabbitmq -m 400 /run/secrets/rabbitmq-erlang-cookie /var/lib/rabbitmq/.erlang.cookie
exec docker-entrypoint.sh "$@"
