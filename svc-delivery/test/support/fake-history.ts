import {
  createLogger,
  ParleyError,
  startGrpcServer,
  unary,
  type GrpcServerHandle,
} from "@parley/common";
import {
  ConversationServiceService,
  Role,
  type ListMembersRequest,
  type ListMembersResponse,
} from "@parley/proto/parley/history/v1/conversations";
import {
  HistoryServiceService,
  type LookupMessageRequest,
  type LookupMessageResponse,
} from "@parley/proto/parley/history/v1/history";
import type { Membership } from "../../src/domain/membership.js";

/**
 * Stands in for svc-history across the process boundary, serving only what
 * svc-delivery asks of it: ListMembers from a table the test controls, and
 * LookupMessage from a table of stored sends. A reader who is not in the
 * table's member list is refused as history refuses (PERMISSION_DENIED).
 */
export class FakeHistory {
  readonly groups = new Map<string, Membership>();
  readonly stored = new Map<string, { seq: number; sentAtMs: number }>();
  /** Every ListMembers call, in arrival order. */
  readonly reads: ListMembersRequest[] = [];
  /** While false, every call answers UNAVAILABLE. */
  available = true;

  private server: GrpcServerHandle | undefined;

  static async start(): Promise<FakeHistory> {
    const log = createLogger("fake-history", "silent");
    const fake = new FakeHistory();
    fake.server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.history.v1.ConversationService",
          definition: ConversationServiceService,
          implementation: {
            listMembers: unary("ListMembers", log, async (r: ListMembersRequest) =>
              fake.listMembers(r),
            ),
          },
        },
        {
          name: "parley.history.v1.HistoryService",
          definition: HistoryServiceService,
          implementation: {
            lookupMessage: unary("LookupMessage", log, async (r: LookupMessageRequest) =>
              fake.lookupMessage(r),
            ),
          },
        },
      ],
      log,
    );
    return fake;
  }

  get address(): string {
    return `127.0.0.1:${this.server!.port}`;
  }

  /** ListMembers calls made for one group so far. */
  readsOf(conversationId: string): number {
    return this.reads.filter((r) => r.conversationId === conversationId).length;
  }

  stop(): Promise<void> {
    return this.server!.stop(100);
  }

  private listMembers(request: ListMembersRequest): ListMembersResponse {
    this.reads.push(request);
    if (!this.available) throw ParleyError.unavailable("database is down");
    const group = this.groups.get(request.conversationId);
    if (!group?.memberIds.includes(request.readerId)) {
      throw ParleyError.denied("not a member of this conversation");
    }
    return {
      membershipVersion: group.version,
      members: [...group.memberIds].sort().map((userId) => ({
        userId,
        role: Role.ROLE_MEMBER,
        joinedSeq: 1,
        deliveredSeq: 0,
        readSeq: 0,
      })),
    };
  }

  private lookupMessage(request: LookupMessageRequest): LookupMessageResponse {
    if (!this.available) throw ParleyError.unavailable("database is down");
    const found = this.stored.get(`${request.conversationId}/${request.messageId}`);
    return found ? { found: true, ...found } : { found: false, seq: 0, sentAtMs: 0 };
  }
}
