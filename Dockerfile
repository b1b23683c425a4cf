# syntax=docker/dockerfile:1
#
# One image for every Parley service. The command picks the service: the
# default runs svc-$SERVICE (build arg SERVICE, "edge" unless set), and
# compose.yaml and the Helm chart name the entry point outright, e.g.
# `node svc-history/dist/main.js`. The image runs as the unprivileged
# `node` user and holds only the built services, their migrations, the web
# client and the production dependencies of the five services.
#
#   docker build -t parley .
#   docker run --rm parley node svc-delivery/dist/main.js
#   docker build --build-arg SERVICE=history -t parley-history .

ARG NODE_IMAGE=node:24-bookworm-slim

# The package manifests alone, so that the installs below stay cached for
# as long as no manifest or the lock file changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && for f in */package.json; do \
      mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; \
    done

# Build: every dependency (buf, ts-proto and tsc are dev dependencies).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --workspace proto \
 && npx tsc -b common svc-delivery svc-history svc-presence svc-media svc-edge \
 && if [ -f web/package.json ]; then npm run build --workspace web; fi
# What the runtime stage takes: compiled code, SQL migrations, the built
# web client (served by the edge when EDGE_WEB_DIR points at it) and the
# container health check.
RUN mkdir -p /out/deploy \
 && for w in proto common svc-delivery svc-history svc-presence svc-media svc-edge; do \
      mkdir -p "/out/$w" && cp -r "$w/dist" "/out/$w/"; \
      if [ -d "$w/migrations" ]; then cp -r "$w/migrations" "/out/$w/"; fi; \
    done \
 && if [ -d web/dist ]; then mkdir -p /out/web && cp -r web/dist /out/web/; fi \
 && cp deploy/healthcheck.js /out/deploy/

# Production dependencies of the services only: not the root's local-run
# helpers (PGlite, s3rver), not the cli or the web client's toolchain.
# No install scripts: none of these needs one (sharp ships prebuilt
# binaries as optional packages; protobufjs's postinstall is refused by
# the project's allowScripts too).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace svc-delivery --workspace svc-history --workspace svc-presence \
      --workspace svc-media --workspace svc-edge \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=edge
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=build /out/ ./
# Files stay root's and read-only to the service; nothing is written
# inside the image.
USER node
# edge HTTP/WebSocket, the five gRPC ports, Prometheus metrics.
EXPOSE 8080 7100 7101 7102 7103 7104 9464
# exec: node is PID 1 and receives SIGTERM itself (every service stops in
# order on it).
CMD ["sh", "-c", "exec node svc-${SERVICE}/dist/main.js"]
