import {
  createLogger,
  ErrorCode,
  ParleyError,
  startGrpcServer,
  unary,
  type GrpcServerHandle,
} from "@parley/common";
import {
  ConversationServiceService,
  type RecordReceiptsRequest,
  type RecordReceiptsResponse,
} from "@parley/proto/parley/history/v1/conversations";

type Definition = typeof ConversationServiceService;
type Method = keyof Definition;
type Req<M extends Method> = ReturnType<Definition[M]["requestDeserialize"]>;
type Res<M extends Method> = Parameters<Definition[M]["responseSerialize"]>[0];
/** What a test makes a method answer; throw a ParleyError for a failed status. */
export type Answers = { [M in Method]?: (request: Req<M>) => Promise<Res<M>> };

/**
 * svc-history's ConversationService served from a table the test controls,
 * on a real gRPC server (port 0), so edge tests can check what the edge
 * calls and how it renders the answers without svc-history and Postgres.
 * RecordReceipts keeps watermarks as svc-history does (never back, read
 * clamped to delivered); the other methods answer what `answers` says.
 */
export class FakeConversations {
  /** Every request, in arrival order, by method. */
  readonly requests: { method: Method; request: unknown }[] = [];
  readonly answers: Answers = {};
  /** Watermarks by `${user} ${conversation}`. */
  readonly watermarks = new Map<string, { delivered: number; read: number }>();

  private server!: GrpcServerHandle;

  private constructor() {}

  static async start(): Promise<FakeConversations> {
    const log = createLogger("fake-conversations", "silent");
    const fake = new FakeConversations();
    const implementation = Object.fromEntries(
      (Object.keys(ConversationServiceService) as Method[]).map((method) => [
        method,
        unary(method, log, (request: unknown) => fake.answer(method, request)),
      ]),
    );
    fake.server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.history.v1.ConversationService",
          definition: ConversationServiceService,
          implementation,
        },
      ],
      log,
    );
    return fake;
  }

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** The RecordReceipts requests that carried an update for `userId`. */
  receiptCalls(userId: string): RecordReceiptsRequest[] {
    return this.requests
      .filter((r) => r.method === "recordReceipts")
      .map((r) => r.request as RecordReceiptsRequest)
      .filter((r) => r.updates.some((u) => u.userId === userId));
  }

  /** The requests of one method, in arrival order. */
  requestsOf<M extends Method>(method: M): Req<M>[] {
    return this.requests.filter((r) => r.method === method).map((r) => r.request as Req<M>);
  }

  stop(): Promise<void> {
    return this.server.stop(0);
  }

  private async answer(method: Method, request: unknown): Promise<unknown> {
    this.requests.push({ method, request });
    const answer = this.answers[method] as ((req: unknown) => Promise<unknown>) | undefined;
    if (answer) return answer(request);
    if (method === "recordReceipts") return this.record(request as RecordReceiptsRequest);
    throw new ParleyError(ErrorCode.Unavailable, `the fake has no answer for ${method}`);
  }

  private async record(request: RecordReceiptsRequest): Promise<RecordReceiptsResponse> {
    return {
      results: request.updates.map((u) => {
        const key = `${u.userId} ${u.conversationId}`;
        const w = this.watermarks.get(key) ?? { delivered: 0, read: 0 };
        w.delivered = Math.max(w.delivered, u.deliveredSeq);
        w.read = Math.max(w.read, Math.min(u.readSeq, w.delivered));
        this.watermarks.set(key, w);
        return { errorCode: "", errorReason: "", deliveredSeq: w.delivered, readSeq: w.read };
      }),
    };
  }
}
