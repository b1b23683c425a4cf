import { directConversationId } from "@parley/common";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { randomUUID } from "node:crypto";

/** A 1:1 conversation between two fresh users. */
export function directPair(): { alice: string; bob: string; conversationId: string } {
  const suffix = randomUUID().slice(0, 8);
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  return { alice, bob, conversationId: directConversationId(alice, bob) };
}

/** Text events from `sender`, numbered from 0, as svc-delivery logs them (seq 0). */
export function textEvents(
  conversationId: string,
  sender: string,
  memberIds: string[],
  count: number,
): ConversationEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: randomUUID(),
    conversationId,
    seq: 0,
    senderId: sender,
    senderDeviceId: "phone",
    clientMessageId: `c${i}`,
    sentAtMs: 1_767_225_600_000 + i,
    memberIds,
    membershipVersion: 0,
    text: { body: `message ${i}`, media: undefined },
  }));
}
