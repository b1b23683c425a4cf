import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  callUnary,
  createClient,
  ensureTopology,
  loadConfig,
  natsSettings,
  topologyFromSettings,
  type Topology,
} from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { ConversationServiceClient } from "@parley/proto/parley/history/v1/conversations";
import {
  HistoryServiceClient,
  type GetHistoryRequest,
  type GetHistoryResponse,
} from "@parley/proto/parley/history/v1/history";
import pg from "pg";
import { dropNatsNamespace, dropSchema } from "../../../testkit/cleanup.js";
import {
  baseEnv,
  TEST_DATABASE_URL,
  TEST_NATS_URL,
  uniqueNamespace,
} from "../../../testkit/env.js";
import { startService, type RunningService } from "../../../testkit/service.js";
import { eventually } from "../../../testkit/eventually.js";

/**
 * One test's deployment: svc-history in its own namespace and schema, a
 * NATS connection that publishes straight into the conversation log,
 * HistoryService and ConversationService clients and a Postgres client to
 * look at what was stored.
 */
export class HistoryDeployment {
  service!: RunningService;
  client!: HistoryServiceClient;
  conversations!: ConversationServiceClient;
  private constructor(
    readonly ns: string,
    readonly env: Record<string, string>,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly topology: Topology,
    readonly db: pg.Client,
  ) {}

  /** Starts the service with `extraEnv` on top of the test environment. */
  static async start(extraEnv: Record<string, string> = {}): Promise<HistoryDeployment> {
    const ns = uniqueNamespace();
    const env: Record<string, string> = {
      ...baseEnv(ns),
      GRPC_ADDRESS: "127.0.0.1:0",
      ...extraEnv,
    };
    // The same settings as the service, so both declare the same topology.
    const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
    const nc = await connect({ servers: env.NATS_URL ?? TEST_NATS_URL });
    await ensureTopology(await jetstreamManager(nc), topology);
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const deployment = new HistoryDeployment(ns, env, nc, jetstream(nc), topology, db);
    await deployment.startService();
    return deployment;
  }

  async startService(): Promise<void> {
    this.service = await startService("history", this.env);
    this.client?.close();
    this.conversations?.close();
    const address = `127.0.0.1:${this.service.ready.grpc_port}`;
    this.client = createClient(HistoryServiceClient, address);
    this.conversations = createClient(ConversationServiceClient, address);
  }

  /** Publishes an event to the conversation log; returns its stream seq. */
  async publish(event: ConversationEvent): Promise<number> {
    return this.publishRaw(event.conversationId, ConversationEvent.encode(event).finish());
  }

  async publishRaw(conversationId: string, data: Uint8Array): Promise<number> {
    const ack = await this.js.publish(this.topology.messageSubject(conversationId), data);
    return ack.seq;
  }

  /** Publishes all events pipelined; returns their stream seqs in order. */
  async publishAll(events: ConversationEvent[]): Promise<number[]> {
    return Promise.all(events.map((e) => this.publish(e)));
  }

  history(request: Partial<GetHistoryRequest>): Promise<GetHistoryResponse> {
    const full = {
      readerId: "",
      conversationId: "",
      beforeSeq: 0,
      afterSeq: 0,
      limit: 0,
      fromOldest: false,
    };
    return callUnary(this.client, this.client.getHistory, { ...full, ...request }, 5_000);
  }

  /** Seqs stored for a conversation, as Postgres holds them (duplicates included). */
  async storedSeqs(conversationId: string): Promise<number[]> {
    const { rows } = await this.db.query<{ seq: string }>(
      `SELECT seq FROM "${this.ns}".messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
    return rows.map((r) => Number(r.seq));
  }

  /** Waits until `count` messages of the conversation are stored. */
  async waitForStored(conversationId: string, count: number, timeoutMs = 20_000): Promise<void> {
    await eventually(
      async () => (await this.storedSeqs(conversationId)).length >= count,
      timeoutMs,
    );
  }

  async dispose(): Promise<void> {
    this.client?.close();
    this.conversations?.close();
    await this.service?.stop();
    await this.nc.close();
    await this.db.end();
    await dropNatsNamespace(this.ns);
    await dropSchema(this.ns);
  }
}

export { eventually };
