import type { Membership as MemberList } from "@parley/common";

/**
 * Who belongs to a conversation, as of one membership version. Group
 * versions start at 1 and grow by one per change; a 1:1 conversation is
 * always version 0 with its two participants.
 */
export interface Membership extends MemberList {
  /**
   * The log seq of the membership event it was learned from; absent for
   * lists read from history or derived for a 1:1 conversation.
   */
  seq?: number;
}

/** The fixed membership of a 1:1 conversation. */
export function directMembership(senderId: string, recipientId: string): Membership {
  return { version: 0, memberIds: [senderId, recipientId] };
}
