import { ParleyError } from "@parley/common";
import type { ConversationEvent, MembershipChange } from "@parley/proto/parley/events/v1/events";
import type { Conversation } from "@parley/proto/parley/history/v1/conversations";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { conversationOf } from "../domain/conversation-view.js";
import type { EventPublisher } from "../nats/event-publisher.js";
import {
  groupMembers,
  lockGroup,
  setMembershipVersion,
  type GroupMember,
  type LockedGroup,
} from "../pg/group-store.js";
import { inTransaction } from "../pg/transaction.js";
import type { GroupDeps } from "./group-deps.js";
import { membershipEvent } from "./membership-event.js";

/** Where an appended event landed. */
export interface Appended {
  seq: number;
  sentAt: Date;
}

/**
 * One membership transaction of one group: its row is locked, so the events
 * appended here enter the log in the order the changes commit.
 *
 * Known shortcoming: an event is appended before the transaction commits.
 * If the process or Postgres fails in between, the log holds a change that
 * Postgres lacks (members' devices see it; a retry appends it once more).
 * Closing the gap needs an outbox table published after commit; until then
 * the window is one JetStream round trip.
 */
export class GroupChange {
  /** The appended events with their seq, in log order. */
  readonly events: ConversationEvent[] = [];
  private version: number;

  constructor(
    private readonly publisher: EventPublisher,
    readonly client: pg.ClientBase,
    readonly group: LockedGroup,
    /** The members before the change, in joining order. */
    readonly members: GroupMember[],
  ) {
    this.version = group.membershipVersion;
  }

  get membershipVersion(): number {
    return this.version;
  }

  /** The member, or undefined. */
  member(userId: string): GroupMember | undefined {
    return this.members.find((m) => m.userId === userId);
  }

  /**
   * Appends the change to the log, stamped with the members after it and
   * the next membership version, and waits for JetStream to store it.
   */
  async append(
    change: MembershipChange,
    membersAfter: string[],
    messageId: string = randomUUID(),
  ): Promise<Appended> {
    const sentAtMs = Date.now();
    const event = membershipEvent({
      conversationId: this.group.conversationId,
      messageId,
      change,
      memberIds: membersAfter,
      membershipVersion: this.version + 1,
      sentAtMs,
    });
    const seq = await this.publisher.append(event);
    this.version += 1;
    // Callers get the event as members' devices do: with its seq, and
    // without the (possibly long) member list.
    this.events.push({ ...event, seq, memberIds: [] });
    return { seq, sentAt: new Date(sentAtMs) };
  }
}

/** The group after a change, and the events the change appended. */
export interface ChangeResult {
  conversation: Conversation | undefined;
  events: ConversationEvent[];
}

/**
 * Runs `work` on the locked group in one transaction and, once committed,
 * announces the change and answers with the group as `viewerId` sees it.
 * `unknownReason` is the PERMISSION_DENIED reason for a missing group: the
 * same as for a caller lacking the right, so group ids cannot be probed.
 */
export async function changeGroup(
  deps: GroupDeps,
  conversationId: string,
  viewerId: string,
  unknownReason: string,
  work: (change: GroupChange) => Promise<void>,
): Promise<ChangeResult> {
  const events = await inTransaction(deps.pool, async (client) => {
    const group = await lockGroup(client, conversationId);
    if (!group) throw ParleyError.denied(unknownReason);
    const change = new GroupChange(
      deps.publisher,
      client,
      group,
      await groupMembers(client, conversationId),
    );
    await work(change);
    if (change.events.length > 0) {
      await setMembershipVersion(client, conversationId, change.membershipVersion);
    }
    return change.events;
  });
  if (events.length > 0) await announce(deps, conversationId);
  const row = await deps.reader.view(conversationId, viewerId);
  return { conversation: row ? conversationOf(row) : undefined, events };
}

/**
 * Tells membership caches that the group changed. The change is committed
 * whatever happens here; a cache that misses the message is bounded by its
 * TTL and dropped on reconnect, so a failure is logged, not returned.
 */
export async function announce(deps: GroupDeps, conversationId: string): Promise<void> {
  try {
    await deps.publisher.announceMembershipChange(conversationId);
  } catch (err) {
    deps.log.warn(
      { err, conversation_id: conversationId },
      "could not announce a membership change",
    );
  }
}
