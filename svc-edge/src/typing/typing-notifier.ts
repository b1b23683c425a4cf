import { headers, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { EPHEMERAL_HEADER, type MembershipCache, type Topology } from "@parley/common";
import { encodeTyping, EphemeralKind } from "../delivery/ephemeral.js";

/**
 * Tells a conversation's other members that a user is typing: one core
 * NATS message on each other member's live subject, marked ephemeral, so
 * every edge where a member has devices passes it on and nothing stores
 * it. The typer's own other devices are not told (they know who typed
 * on them).
 */
export class TypingNotifier {
  private readonly headers: MsgHdrs;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly members: MembershipCache,
    /** How long receivers show the indicator unless it is refreshed. */
    private readonly ttlMs: number,
  ) {
    this.headers = headers();
    this.headers.set(EPHEMERAL_HEADER, EphemeralKind.Typing);
  }

  /** Throws PERMISSION_DENIED when the user is not a member. */
  async typing(userId: string, conversationId: string): Promise<void> {
    const { memberIds } = await this.members.forSender(conversationId, userId);
    const body = encodeTyping({
      conversation_id: conversationId,
      user_id: userId,
      expires_in_ms: this.ttlMs,
    });
    for (const memberId of memberIds) {
      if (memberId === userId) continue;
      this.nc.publish(this.topology.liveSubject(memberId), body, { headers: this.headers });
    }
  }
}
