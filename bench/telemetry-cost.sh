#!/usr/bin/env bash
# The cost of telemetry: bench/one-to-one.ts against a system started with
# telemetry off, with metrics only, with traces at the default 1% only, with
# both, and with every message traced; each config twice (the first run
# warms up), in two rounds. Exports go to bench/otlp-sink.ts, which drops
# them. Needs a build, NATS and Postgres as for npm start.
#   bash bench/telemetry-cost.sh
set -u
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/node/bin:$PATH"
npx tsx bench/otlp-sink.ts --port 14318 > "${TMPDIR:-/tmp}/parley-tcost-sink.log" 2>&1 &
SINK=$!
run() { # label, env...
  local label=$1; shift
  local ns=tcost$RANDOM$RANDOM
  env "$@" PARLEY_NAMESPACE=$ns PARLEY_HTTP_PORT=18080 PARLEY_GRPC_PORT_BASE=17100 PARLEY_DATA_DIR="${TMPDIR:-/tmp}/parley-tcost" \
    EDGE_SENDS_PER_SECOND=1000000 EDGE_SEND_BURST=1000000 LOG_LEVEL=warn node scripts/start.js > "${TMPDIR:-/tmp}/parley-tcost-start.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do grep -q "Parley is up" "${TMPDIR:-/tmp}/parley-tcost-start.log" && break; sleep 1; done
  for i in 1 2; do
    r=$(npx tsx bench/one-to-one.ts --url ws://127.0.0.1:18080/ws --pairs 50 --messages 300 --window 20 2>&1 | tail -1)
    echo "$label run$i $r"
  done
  kill -TERM $pid; wait $pid 2>/dev/null
  npm run -s drop-namespace -- "$ns" > /dev/null 2>&1
}
SINK_ENV=OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14318
METRICS=(OTEL_METRICS_EXPORTER=otlp OTEL_METRIC_EXPORT_INTERVAL=5000)
for round in 1 2; do
  run off
  run metrics-only $SINK_ENV "${METRICS[@]}"
  run traces-1%-only $SINK_ENV OTEL_TRACES_EXPORTER=otlp
  run metrics+traces-1% $SINK_ENV OTEL_TRACES_EXPORTER=otlp "${METRICS[@]}"
  run metrics+traces-all $SINK_ENV OTEL_TRACES_EXPORTER=otlp OTEL_TRACES_SAMPLER=always_on "${METRICS[@]}"
done
tail -2 "${TMPDIR:-/tmp}/parley-tcost-sink.log"
kill $SINK
