#!/usr/bin/env bash
# Runs docker compose on Galileo's dev stack (compose/docker-compose.yml, project name "galileo",
# variables from compose/.env when present). Uses the `docker compose` plugin, or the standalone
# `docker-compose` (v1: `--wait` is not known there and is dropped with a note).
# Optional parts: COMPOSE_PROFILES=influxdb,lb,optimizers npx nx run stack:up
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
file="$root/compose/docker-compose.yml"
args=(-p "${COMPOSE_PROJECT_NAME:-galileo}" -f "$file")
if [ -f "$root/compose/.env" ]; then args+=(--env-file "$root/compose/.env"); fi

if docker compose version >/dev/null 2>&1; then
  exec docker compose "${args[@]}" "$@"
elif command -v docker-compose >/dev/null 2>&1; then
  rest=()
  for a in "$@"; do
    if [ "$a" = "--wait" ]; then echo "stack: docker-compose v1 has no --wait; check health with: npx nx run stack:ps" >&2; else rest+=("$a"); fi
  done
  exec docker-compose "${args[@]}" "${rest[@]}"
else
  echo "stack: neither 'docker compose' nor 'docker-compose' is installed (Docker Engine with the compose plugin: https://docs.docker.com/compose/install/)" >&2
  exit 127
fi
