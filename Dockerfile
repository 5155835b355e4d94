# syntax=docker/dockerfile:1
# One image for every Galileo service: `docker run galileo <service> [args]`.
#
#   docker build -t galileo:0.1.0 .
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t <registry>/galileo:<tag> --push .
#
# The services run as TypeScript through tsx (as `nx run <service>:serve` does): the workspace
# packages export their sources, so the image keeps the sources and tsx. The worker, which runs on
# every client node and must be light, runs from a bundle on plain node instead (no tsx hooks,
# ~35 MB less memory); TypeScript client apps (galileo_apps_dir) are loaded through tsx's tsImport.
# No step is specific to an architecture: better-sqlite3 compiles for the target platform in the
# build stage (buildx runs that stage emulated for arm64/armv7), esbuild (tsx) picks its own binary.

ARG NODE_VERSION=20.19.5

# ---- build: full install (native addons need python3, make, g++), Prisma clients, prune ------
FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true npm_config_audit=false npm_config_fund=false
COPY . .
# npm ci when the lockfile matches; npm install resolves it again when it does not (as .ci/run does).
# The root postinstall (prisma/generate.mjs) generates the Prisma clients into libs/db, offline.
RUN npm ci || (rm -rf node_modules && npm install)
RUN node scripts/bundle-service.mjs worker
# Production dependencies only, plus tsx and what it needs at run time (it is a dev dependency).
RUN mkdir -p /tmp/keep \
 && for p in tsx esbuild @esbuild get-tsconfig resolve-pkg-maps; do \
      if [ -e "node_modules/$p" ]; then cp -a "node_modules/$p" /tmp/keep/; fi; \
    done \
 && npm prune --omit=dev \
 && cp -a /tmp/keep/. node_modules/ \
 && node deployment/docker/entrypoint.mjs --check

# ---- runtime: slim, non-root, sources + production node_modules ------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    galileo_apps_dir=/app/services/worker/apps \
    galileo_apps_repo_dir=/data/apps-repo \
    galileo_expdb_sqlite_path=/data/galileodb.sqlite
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/tsconfig.base.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/libs ./libs
COPY --from=build --chown=root:root /app/services ./services
COPY --from=build --chown=root:root /app/examples ./examples
COPY --from=build --chown=root:root /app/prisma ./prisma
COPY --from=build --chown=root:root /app/deployment/docker ./deployment/docker
# The code is read-only for the service user; only /data (SQLite, uploaded apps, anything a
# relative default path names) is writable, and it is the working directory.
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
# Every service serves /healthz (libs/runtime); the check finds the service and its port itself.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deployment/docker/healthcheck.mjs"]
# The entry point registers tsx itself for the services that run from source.
ENTRYPOINT ["node", "/app/deployment/docker/entrypoint.mjs"]
CMD ["--help"]
