import { status, type ServerWritableStream } from "@grpc/grpc-js";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createLogger,
  ErrorCode,
  ParleyError,
  startGrpcServer,
  unary,
  type GrpcServerHandle,
  type Topology,
} from "@parley/common";
import {
  PresenceServiceService,
  UserPresence,
  type GetPresenceRequest,
  type GetPresenceResponse,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import { TEST_NATS_URL } from "../../../testkit/env.js";

/**
 * svc-presence's PresenceService served from a table the test controls,
 * on a real gRPC server (port 0), plus a real NATS connection to publish
 * changes on presence subjects the way svc-presence does. ReportPresence
 * calls are recorded; WatchPresence is not served (the edge does not use it).
 */
export class FakePresence {
  /** Every ReportPresence request, in arrival order. */
  readonly reports: ReportPresenceRequest[] = [];
  /** Every GetPresence request, in arrival order. */
  readonly reads: GetPresenceRequest[] = [];
  /** The presence GetPresence answers, by user; absent users are offline, never seen. */
  readonly table = new Map<string, UserPresence>();
  /** Set to make ReportPresence fail (UNAVAILABLE) or ask for a snapshot. */
  reportFails = false;
  snapshotRequired = false;
  getFails = false;
  /** Users whose next report (the first naming them) is recorded but never answered. */
  readonly hangNextReportOf = new Set<string>();

  private server!: GrpcServerHandle;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
  ) {}

  static async start(topology: Topology): Promise<FakePresence> {
    const log = createLogger("fake-presence", "silent");
    const fake = new FakePresence(await connect({ servers: TEST_NATS_URL }), topology);
    fake.server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.presence.v1.PresenceService",
          definition: PresenceServiceService,
          implementation: {
            reportPresence: unary("ReportPresence", log, (r: ReportPresenceRequest) =>
              fake.report(r),
            ),
            getPresence: unary("GetPresence", log, (r: GetPresenceRequest) => fake.get(r)),
            watchPresence: (call: ServerWritableStream<unknown, unknown>) =>
              call.destroy(Object.assign(new Error("not served"), { code: status.UNIMPLEMENTED })),
          },
        },
      ],
      log,
    );
    return fake;
  }

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** Sets a user's presence and publishes the change, as svc-presence does. */
  async change(userId: string, online: boolean, lastSeenMs = 0): Promise<void> {
    const version = (this.table.get(userId)?.version ?? 0) + 1;
    const presence = { userId, online, lastSeenMs, version };
    this.table.set(userId, presence);
    this.nc.publish(this.topology.presenceSubject(userId), UserPresence.encode(presence).finish());
    await this.nc.flush();
  }

  /** The device events of every report so far, in order, as "user.device+" or "-". */
  events(): string[] {
    return this.reports.flatMap((r) =>
      r.events.map((e) => `${e.connected ? "+" : "-"}${e.userId}.${e.deviceId}`),
    );
  }

  async stop(): Promise<void> {
    await this.server.stop(0);
    await this.nc.close();
  }

  private async report(request: ReportPresenceRequest): Promise<ReportPresenceResponse> {
    if (this.reportFails) throw ParleyError.unavailable("presence store down (fake)");
    this.reports.push(request);
    const hung = request.events.find((e) => this.hangNextReportOf.delete(e.userId));
    if (hung) return new Promise<never>(() => {});
    return { snapshotRequired: this.snapshotRequired, leaseTtlMs: 15_000 };
  }

  private async get(request: GetPresenceRequest): Promise<GetPresenceResponse> {
    this.reads.push(request);
    if (this.getFails) throw new ParleyError(ErrorCode.Unavailable, "presence down (fake)");
    return {
      users: request.userIds.map(
        (userId) => this.table.get(userId) ?? { userId, online: false, lastSeenMs: 0, version: 0 },
      ),
    };
  }
}
