// helm/parley rendered with each values file (by support/helm-template.ts,
// since no helm binary runs here) and checked against the services'
// schemas, entry points and one another: ConfigMaps, Secret, Deployments,
// Services, probes, HPAs and PDBs.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { ChartRenderer, manifestDocuments, mergeValues } from "./support/helm-template.js";
import {
  ADDRESS_KEYS,
  assertUnique,
  checkServiceEnv,
  entryPoint,
  hostOf,
  portOf,
  ROOT,
  SERVICES,
  type ServiceName,
} from "./support/services.js";

const CHART = `${ROOT}helm/parley/`;
// Every manifest is read loosely: these are checks, not typings of Kubernetes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Doc = any;

const SECRETS = { tokenSecret: "test-token-secret", postgres: { password: "p@ss word+1" } };

function render(valuesFiles: string[], overrides: object = SECRETS) {
  const chart = parse(readFileSync(`${CHART}Chart.yaml`, "utf8"));
  let values: unknown = parse(readFileSync(`${CHART}values.yaml`, "utf8"));
  for (const file of valuesFiles) {
    values = mergeValues(values, parse(readFileSync(`${CHART}${file}`, "utf8")));
  }
  values = mergeValues(values, overrides);
  const { manifests, notes } = new ChartRenderer(`${CHART}templates`).render({
    Values: values,
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Release: { Name: "test", Namespace: "parley", Service: "Helm" },
  });
  const docs: Doc[] = [...manifests.values()].flatMap(manifestDocuments);
  return { docs, notes, values: values as Doc };
}

const byKind = (docs: Doc[], kind: string): Doc[] => docs.filter((d) => d.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A pod's environment with ConfigMap and Secret references resolved. */
function podEnv(docs: Doc[], container: Doc): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef.name;
    const cm = byKind(docs, "ConfigMap").find((c) => c.metadata.name === name);
    assert.ok(cm, `ConfigMap ${name} not rendered`);
    Object.assign(env, cm.data);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else {
      const ref = e.valueFrom.secretKeyRef;
      const secret = byKind(docs, "Secret").find((s) => s.metadata.name === ref.name);
      assert.ok(secret, `Secret ${ref.name} not rendered`);
      assert.ok(ref.key in secret.stringData, `Secret ${ref.name} has no ${ref.key}`);
      env[e.name] = secret.stringData[ref.key];
    }
  }
  return env;
}

function serviceOf(container: Doc): ServiceName {
  const kind = SERVICES.find((s) => container.command?.join(" ") === `node ${entryPoint(s)}`);
  assert.ok(kind, `${container.name}: command ${container.command} runs no service`);
  return kind;
}

for (const valuesFiles of [[], ["values-small.yaml"], ["values-planet.yaml"]]) {
  describe(`helm/parley with ${valuesFiles[0] ?? "values.yaml"}`, () => {
    const { docs, notes, values } = render(valuesFiles);
    const deployments = byKind(docs, "Deployment");
    const pods = deployments.map((d) => {
      const container = d.spec.template.spec.containers[0];
      return { d, container, kind: serviceOf(container), env: podEnv(docs, container) };
    });

    it("should render well-formed objects with unique names", () => {
      for (const d of docs) {
        assert.ok(d.apiVersion && d.kind && d.metadata?.name, JSON.stringify(d).slice(0, 80));
        assert.ok(d.metadata.name.length <= 63, `${d.metadata.name} too long`);
      }
      assertUnique(
        docs.map((d) => `${d.kind}/${d.metadata.name}`),
        "object names",
      );
      assert.match(notes, /Check after install/);
    });

    it("should run every service from the chart's image, delivery once per fanout instance", () => {
      const counts = new Map<ServiceName, number>();
      for (const p of pods) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      for (const s of SERVICES) {
        const want = s === "delivery" ? values.services.delivery.fanoutInstances : 1;
        assert.equal(counts.get(s), want, `Deployments of svc-${s}`);
      }
      for (const p of pods) {
        const labels = p.d.spec.template.metadata.labels;
        assert.equal(labels["parley.dev/service"], p.env.OTEL_SERVICE_NAME, "service label");
        assert.match(p.container.image, new RegExp(`^${values.image.repository}:`));
        assert.equal(p.d.spec.template.spec.containers.length, 1);
      }
    });

    it("should give each service only settings its schema knows, with values it accepts", () => {
      for (const p of pods) checkServiceEnv(p.kind, p.env, `helm ${p.d.metadata.name}`);
    });

    it("should share the log partitions among delivery instances, each exactly once", () => {
      const owned = pods
        .filter((p) => p.kind === "delivery")
        .flatMap((p) => p.env.FANOUT_PARTITIONS!.split(",").map(Number));
      const partitions = Number(values.nats.partitions);
      assert.deepEqual(
        owned.sort((a, b) => a - b),
        Array.from({ length: partitions }, (_, i) => i),
      );
      for (const p of pods.filter((p) => p.kind === "delivery")) {
        assert.equal(p.d.spec.replicas, 1);
        assert.equal(p.d.spec.strategy.type, "Recreate");
      }
    });

    it("should point every *_ADDRESS at a Service of the right pods and port", () => {
      const services = byKind(docs, "Service");
      for (const p of pods) {
        for (const [key, callee] of Object.entries(ADDRESS_KEYS)) {
          const address = p.env[key];
          if (address === undefined) continue;
          const svc = services.find((s) => s.metadata.name === hostOf(address));
          assert.ok(svc, `${p.d.metadata.name}: ${key} names no Service`);
          const port = svc.spec.ports.find((x: Doc) => x.port === portOf(address));
          assert.ok(port, `${key}: Service ${svc.metadata.name} has no port ${portOf(address)}`);
          const targets = pods.filter((t) =>
            matches(svc.spec.selector, t.d.spec.template.metadata.labels),
          );
          assert.ok(targets.length > 0, `${svc.metadata.name} selects no pods`);
          for (const t of targets) {
            assert.equal(t.kind, callee, `${key} reaches svc-${t.kind}`);
            const named = t.container.ports.find((x: Doc) => x.name === port.targetPort);
            assert.equal(named?.containerPort, portOf(t.env.GRPC_ADDRESS!), `${key} target port`);
          }
        }
      }
    });

    it("should let no two things claim one port in a pod", () => {
      for (const p of pods) {
        const ports = p.container.ports as Doc[];
        assertUnique(
          ports.map((x) => x.containerPort),
          p.d.metadata.name,
        );
        const port = (name: string) => ports.find((x) => x.name === name)?.containerPort;
        assert.equal(port("grpc"), portOf(p.env.GRPC_ADDRESS!));
        assert.equal(port("metrics"), Number(p.env.OTEL_EXPORTER_PROMETHEUS_PORT));
        if (p.kind === "edge") assert.equal(port("http"), portOf(p.env.EDGE_HTTP_ADDRESS!));
      }
    });

    it("should probe the gRPC health service (and the edge's /healthz for readiness)", () => {
      for (const p of pods) {
        const grpc = portOf(p.env.GRPC_ADDRESS!);
        assert.equal(p.container.startupProbe.grpc.port, grpc);
        assert.equal(p.container.livenessProbe.grpc.port, grpc);
        if (p.kind === "edge") {
          const get = p.container.readinessProbe.httpGet;
          assert.equal(get.path, "/healthz");
          assert.equal(get.port, portOf(p.env.EDGE_HTTP_ADDRESS!));
        } else {
          assert.equal(p.container.readinessProbe.grpc.port, grpc);
        }
      }
    });

    it("should drain the edge before its deadline runs out", () => {
      for (const p of pods.filter((p) => p.kind === "edge")) {
        const [sleep, seconds] = p.container.lifecycle.preStop.exec.command;
        assert.equal(sleep, "sleep");
        const grace = p.d.spec.template.spec.terminationGracePeriodSeconds;
        const stop = Number(seconds) + Number(p.env.SHUTDOWN_DEADLINE_MS) / 1000;
        assert.ok(grace > stop, `grace ${grace}s must exceed preStop + SHUTDOWN_DEADLINE_MS`);
        assert.ok(grace >= 60, "a long grace period");
      }
    });

    it("should run non-root with requests and limits", () => {
      for (const p of pods) {
        const spec = p.d.spec.template.spec;
        assert.equal(spec.securityContext.runAsNonRoot, true);
        assert.ok(spec.securityContext.runAsUser > 0);
        assert.ok(p.container.resources.requests.cpu && p.container.resources.requests.memory);
        assert.ok(p.container.resources.limits.memory, `${p.d.metadata.name}: memory limit`);
      }
    });

    it("should select real pods from every Service, HPA and PDB", () => {
      for (const svc of byKind(docs, "Service")) {
        const targets = pods.filter((t) =>
          matches(svc.spec.selector, t.d.spec.template.metadata.labels),
        );
        assert.ok(targets.length > 0, `${svc.metadata.name} selects no pods`);
        for (const port of svc.spec.ports) {
          for (const t of targets) {
            assert.ok(
              t.container.ports.some((x: Doc) => x.name === port.targetPort),
              `${svc.metadata.name}: ${t.d.metadata.name} has no port ${port.targetPort}`,
            );
          }
        }
      }
      for (const hpa of byKind(docs, "HorizontalPodAutoscaler")) {
        const target = pods.find((p) => p.d.metadata.name === hpa.spec.scaleTargetRef.name);
        assert.ok(target, `${hpa.metadata.name} scales nothing`);
        assert.notEqual(target.kind, "delivery", "fanout instances must not autoscale");
        assert.ok(hpa.spec.minReplicas <= hpa.spec.maxReplicas);
      }
      for (const pdb of byKind(docs, "PodDisruptionBudget")) {
        assert.ok(
          pods.some((p) =>
            matches(pdb.spec.selector.matchLabels, p.d.spec.template.metadata.labels),
          ),
          `${pdb.metadata.name} covers no pods`,
        );
      }
      for (const s of SERVICES) {
        const covered = (kind: string) =>
          byKind(docs, kind).some((o) =>
            pods.some(
              (p) =>
                p.kind === s &&
                matches(
                  o.spec.selector.matchLabels ?? o.spec.selector,
                  p.d.spec.template.metadata.labels,
                ),
            ),
          );
        assert.ok(covered("PodDisruptionBudget"), `svc-${s}: no PDB`);
        assert.ok(covered("Service"), `svc-${s}: no Service`);
      }
    });
  });
}

describe("helm/parley values", () => {
  it("should refuse to render without the token secret or the database password", () => {
    assert.throws(() => render([], { postgres: { password: "x" } }), /tokenSecret is required/);
    assert.throws(() => render([], { tokenSecret: "x" }), /postgres.password is required/);
  });

  it("should use an existing Secret instead of its own when told", () => {
    const { docs } = render([], { existingSecret: "mine" });
    assert.equal(byKind(docs, "Secret").length, 0);
    const refs = byKind(docs, "Deployment").flatMap((d) =>
      (d.spec.template.spec.containers[0].env ?? [])
        .filter((e: Doc) => e.valueFrom)
        .map((e: Doc) => e.valueFrom.secretKeyRef.name),
    );
    assert.ok(refs.length > 0 && refs.every((name: string) => name === "mine"));
  });

  it("should escape the database password into DATABASE_URL", () => {
    const { docs } = render([]);
    const url = new URL(byKind(docs, "Secret")[0].stringData.DATABASE_URL);
    assert.equal(decodeURIComponent(url.password), SECRETS.postgres.password);
  });

  it("should serve the web client from the image when asked", function () {
    const { docs } = render([], { ...SECRETS, services: { edge: { webClient: true } } });
    const edge = byKind(docs, "Deployment").find((d) => d.metadata.name === "test-parley-edge");
    const env = podEnv(docs, edge.spec.template.spec.containers[0]);
    assert.equal(env.EDGE_WEB_DIR, "/app/web/dist");
    if (!existsSync(`${ROOT}web/dist/index.html`)) {
      console.log("      (skipped: web/dist is not built here, so EDGE_WEB_DIR cannot be checked)");
      this.skip();
    }
    checkServiceEnv("edge", env, "helm edge with webClient");
  });

  it("should refuse more fanout instances than partitions", () => {
    const overrides = { ...SECRETS, services: { delivery: { fanoutInstances: 9 } } };
    assert.throws(() => render([], overrides), /fanoutInstances must not exceed/);
  });
});
