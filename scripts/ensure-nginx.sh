#!/usr/bin/env bash
# Make sure the scale benchmark has nginx (the load balancer in front of replicas).
# Installs Debian's `nginx-light` when nginx is missing (as root), without starting its service;
# otherwise prints how to install it and exits 1.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-nginx: nginx is missing. Install it with:  sudo apt-get update && sudo apt-get install -y nginx-light" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The bench starts its own nginx on a free port; the package's service must not start (it would take port 80).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update
apt-get install -y --no-install-recommends nginx-light || apt-get install -y --no-install-recommends nginx
if ! [ -x /usr/sbin/nginx ]; then
    echo "ensure-nginx: apt-get finished but /usr/sbin/nginx is still missing" >&2
    exit 1
fi
