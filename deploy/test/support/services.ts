// What the deployment files are checked against: each service's config
// schema (imported from its build, so run `npm run build` first), its
// entry point and the OpenTelemetry variables of the telemetry contract.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ConfigSpec, loadConfig } from "@parley/common";
import { deliverySettings } from "../../../svc-delivery/dist/config.js";
import { edgeSpec } from "../../../svc-edge/dist/config.js";
import { historySpec } from "../../../svc-history/dist/config.js";
import { mediaSpec } from "../../../svc-media/dist/config.js";
import { presenceSpec } from "../../../svc-presence/dist/config.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const SERVICES = ["edge", "delivery", "history", "presence", "media"] as const;
export type ServiceName = (typeof SERVICES)[number];

export const SPECS: Record<ServiceName, ConfigSpec> = {
  edge: edgeSpec,
  delivery: deliverySettings,
  history: historySpec,
  presence: presenceSpec,
  media: mediaSpec,
};

/** Default gRPC ports, as scripts/start.js wires them locally. */
export const GRPC_PORTS: Record<ServiceName, number> = {
  edge: 7100,
  delivery: 7101,
  history: 7102,
  presence: 7103,
  media: 7104,
};

/** Which callee each *_ADDRESS setting names. */
export const ADDRESS_KEYS: Record<string, ServiceName> = {
  DELIVERY_ADDRESS: "delivery",
  HISTORY_ADDRESS: "history",
  PRESENCE_ADDRESS: "presence",
  MEDIA_ADDRESS: "media",
};

/**
 * The standard OpenTelemetry variables of the telemetry contract: every
 * service's @opentelemetry/sdk-node reads them, none of the schemas does.
 */
export const OTEL_KEYS = new Set([
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_TRACES_EXPORTER",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_METRICS_EXPORTER",
  "OTEL_EXPORTER_PROMETHEUS_HOST",
  "OTEL_EXPORTER_PROMETHEUS_PORT",
  "OTEL_LOGS_EXPORTER",
]);

/** The entry point a service's container must run. */
export function entryPoint(service: ServiceName): string {
  return `svc-${service}/dist/main.js`;
}

/** The image's working directory; the image mirrors the repository below it. */
export const IMAGE_ROOT = "/app/";

/**
 * Checks a container's environment against the service's schema: every key
 * is the schema's or a contract OTEL_* key (a misspelt key fails), and the
 * schema accepts every value. Paths inside the image are checked in the
 * repository at the same place.
 */
export function checkServiceEnv(service: ServiceName, env: Record<string, string>, where: string) {
  const spec = SPECS[service];
  for (const key of Object.keys(env)) {
    assert.ok(
      key in spec || OTEL_KEYS.has(key),
      `${where}: ${key} is not a setting of svc-${service}`,
    );
  }
  assert.equal(env.OTEL_SERVICE_NAME, `svc-${service}`, `${where}: OTEL_SERVICE_NAME`);
  const local = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.startsWith(IMAGE_ROOT) ? ROOT + v.slice(IMAGE_ROOT.length) : v,
    ]),
  );
  const unknown: string[] = [];
  assert.doesNotThrow(
    () => loadConfig(spec, { env: local, onUnknown: (name) => unknown.push(name) }),
    `${where}: svc-${service} refuses its configuration`,
  );
  assert.deepEqual(unknown, [], `${where}: unknown settings`);
  assert.ok(existsSync(ROOT + entryPoint(service)), `${entryPoint(service)} missing: build first`);
}

/** The port of a "host:port" address. */
export function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  assert.ok(Number.isInteger(port) && port > 0, `no port in "${address}"`);
  return port;
}

/** The host of a "host:port" address. */
export function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}

/** Throws naming the first value seen twice. */
export function assertUnique(values: (string | number)[], what: string): void {
  const seen = new Set<string | number>();
  for (const v of values) {
    assert.ok(!seen.has(v), `${what}: ${v} claimed twice`);
    seen.add(v);
  }
}
