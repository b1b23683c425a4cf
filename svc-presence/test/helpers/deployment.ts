import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import {
  callUnary,
  createClient,
  loadConfig,
  natsSettings,
  topologyFromSettings,
  type Topology,
} from "@parley/common";
import {
  PresenceServiceClient,
  UserPresence,
  type DeviceEvent,
  type ReportPresenceResponse,
  type WatchPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import type { ClientReadableStream } from "@grpc/grpc-js";
import pg from "pg";
import { dropNatsNamespace, dropSchema } from "../../../testkit/cleanup.js";
import { baseEnv, TEST_DATABASE_URL, uniqueNamespace } from "../../../testkit/env.js";
import { eventually } from "../../../testkit/eventually.js";
import { startService, type RunningService } from "../../../testkit/service.js";

/** Short timings, so leases, grace periods and sweeps pass within a test. */
export const FAST = {
  PRESENCE_LEASE_TTL_MS: "2000",
  PRESENCE_OFFLINE_GRACE_MS: "1000",
  PRESENCE_SWEEP_INTERVAL_MS: "100",
};

/** A connect (true) or disconnect (false) of one device, seen at `atMs` (0: unknown). */
export function event(userId: string, deviceId: string, connected: boolean, atMs = 0): DeviceEvent {
  return { userId, deviceId, connected, atMs };
}

/** Every UserPresence published on the watched users' subjects, in order. */
/** A presence state without its version, for comparing states alone. */
export type State = Omit<UserPresence, "version">;

function stateOf({ version: _version, ...state }: UserPresence): State {
  return state;
}

export class Published {
  readonly all: UserPresence[] = [];
  constructor(private readonly sub: Subscription) {
    void (async () => {
      for await (const msg of sub) this.all.push(UserPresence.decode(msg.data));
    })();
  }

  /** The states published for the user, in order (versions: versionsOf). */
  of(userId: string): State[] {
    return this.all.filter((p) => p.userId === userId).map(stateOf);
  }

  versionsOf(userId: string): number[] {
    return this.all.filter((p) => p.userId === userId).map((p) => p.version);
  }

  /** The online flags published for the user, in order. */
  flags(userId: string): boolean[] {
    return this.of(userId).map((p) => p.online);
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

/** A WatchPresence stream and what it received. */
export class Watch {
  /** What arrived, versions left out (they are compared elsewhere). */
  readonly received: { presence: State | undefined }[] = [];
  error: Error | undefined;
  ended = false;
  constructor(readonly stream: ClientReadableStream<WatchPresenceResponse>) {
    stream.on("data", (r: WatchPresenceResponse) =>
      this.received.push({ presence: r.presence && stateOf(r.presence) }),
    );
    stream.on("error", (err: Error) => (this.error = err));
    stream.on("end", () => (this.ended = true));
  }

  states(userId: string): boolean[] {
    return this.received
      .filter((r) => r.presence?.userId === userId)
      .map((r) => r.presence!.online);
  }
}

/**
 * One test's deployment: svc-presence instances in their own namespace and
 * schema, a client per instance, a NATS connection to follow publications
 * and look into the buckets, and Postgres for last seen.
 */
export class PresenceDeployment {
  readonly services: RunningService[] = [];
  readonly clients: PresenceServiceClient[] = [];
  private constructor(
    readonly ns: string,
    readonly env: Record<string, string>,
    readonly nc: NatsConnection,
    readonly topology: Topology,
    readonly db: pg.Client,
  ) {}

  static async start(extraEnv: Record<string, string> = {}, instances = 1) {
    const ns = uniqueNamespace();
    const env: Record<string, string> = {
      ...baseEnv(ns),
      GRPC_ADDRESS: "127.0.0.1:0",
      ...FAST,
      ...extraEnv,
    };
    const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
    const nc = await connect({ servers: env.NATS_URL });
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const d = new PresenceDeployment(ns, env, nc, topology, db);
    for (let i = 0; i < instances; i++) await d.startInstance();
    return d;
  }

  get client(): PresenceServiceClient {
    return this.clients[0]!;
  }

  get service(): RunningService {
    return this.services[0]!;
  }

  async startInstance(): Promise<void> {
    const service = await startService("presence", this.env);
    this.services.push(service);
    this.clients.push(createClient(PresenceServiceClient, `127.0.0.1:${service.ready.grpc_port}`));
  }

  report(
    edgeId: string,
    events: DeviceEvent[],
    flags: { snapshot?: boolean; goodbye?: boolean } = {},
    client = this.client,
  ): Promise<ReportPresenceResponse> {
    const request = { edgeId, events, snapshot: false, goodbye: false, ...flags };
    return callUnary(client, client.reportPresence, request, 30_000);
  }

  /** GetPresence, versions left out (see getWithVersions). */
  async get(userIds: string[], client = this.client): Promise<State[]> {
    return (await this.getWithVersions(userIds, client)).map(stateOf);
  }

  async getWithVersions(userIds: string[], client = this.client): Promise<UserPresence[]> {
    return (await callUnary(client, client.getPresence, { userIds }, 10_000)).users;
  }

  async onlineOf(userId: string): Promise<boolean> {
    return (await this.get([userId]))[0]!.online;
  }

  watch(userIds: string[]): Watch {
    return new Watch(this.client.watchPresence({ userIds }));
  }

  /** Follows the presence subjects of all users (flushed: listening now). */
  async follow(): Promise<Published> {
    const sub = this.nc.subscribe(`${this.topology.ns}.presence.>`);
    await this.nc.flush();
    return new Published(sub);
  }

  async leases(): Promise<KV> {
    return new Kvm(this.nc).open(this.topology.presenceLeaseBucket);
  }

  async lastSeenRow(userId: string): Promise<number | null> {
    const { rows } = await this.db.query<{ ms: string }>(
      `SELECT (extract(epoch FROM last_seen_at) * 1000)::bigint AS ms
         FROM "${this.ns}".last_seen WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? Number(rows[0].ms) : null;
  }

  async dispose(): Promise<void> {
    for (const client of this.clients) client.close();
    await Promise.all(this.services.map((s) => s.stop()));
    await this.nc.close();
    await this.db.end();
    await dropNatsNamespace(this.ns);
    await dropSchema(this.ns);
  }
}

export { eventually };
