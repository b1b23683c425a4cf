// Who talks to whom: users in 1:1 pairs and in groups of ten, as in the
// planning numbers (docs/capacity.md: groups of ~10, 30% of messages to
// groups). A group's members are spread over the user range, so they
// live in different worker processes and, with several edges, on
// different edges.
import type { Slot } from "../client/commands.js";

export interface Plan {
  users: string[];
  /** Conversation tag → its members. */
  conversations: Map<string, string[]>;
  groups: { tag: string; creator: string; members: string[] }[];
  /** Every (sender, conversation) that sends; group slots lack conversation_id until created. */
  slots: Slot[];
}

export const GROUP_SIZE = 10;

/** A short run id, so user ids never repeat between runs on one NATS. */
export const runId = () => Date.now().toString(36);

export function userIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}x${i}`);
}

/**
 * `count` users (rounded down to an even number, and to tens when there
 * are groups); pairs unless `groupShare` is 1, groups unless it is 0.
 */
export function chatPlan(prefix: string, count: number, groupShare: number): Plan {
  const step = groupShare > 0 ? GROUP_SIZE : 2;
  const users = userIds(prefix, count - (count % step));
  const conversations = new Map<string, string[]>();
  const slots: Slot[] = [];
  const groups: Plan["groups"] = [];
  if (groupShare < 1) {
    for (let k = 0; k < users.length / 2; k++) {
      const [a, b] = [users[2 * k]!, users[2 * k + 1]!];
      conversations.set(`p${k}`, [a, b]);
      slots.push({ user: a, tag: `p${k}`, to: b }, { user: b, tag: `p${k}`, to: a });
    }
  }
  if (groupShare > 0) {
    const groupCount = users.length / GROUP_SIZE;
    for (let g = 0; g < groupCount; g++) {
      const members = Array.from({ length: GROUP_SIZE }, (_, k) => users[g + k * groupCount]!);
      conversations.set(`g${g}`, members);
      groups.push({ tag: `g${g}`, creator: members[0]!, members });
      for (const user of members) slots.push({ user, tag: `g${g}` });
    }
  }
  return { users, conversations, groups, slots };
}

/** Recipients of one message sent at the plan's mix: 1 for 1:1, 9 for a group of ten. */
export function recipientsPerMessage(groupShare: number): number {
  return (1 - groupShare) * 1 + groupShare * (GROUP_SIZE - 1);
}
