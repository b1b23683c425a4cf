// Checks what arrived against what the server acked, message id by message
// id: every acked send must reach every other member of its conversation
// exactly once.
import type { LedgerResult } from "../client/commands.js";

export interface Accounting {
  acked: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  /** Deliveries of ids that were never acked (sent but refused, or foreign). */
  unexpected: number;
  duplicates: number;
}

export function account(ledgers: LedgerResult[], conversations: Map<string, string[]>): Accounting {
  const acked = new Map<string, number>();
  for (const ledger of ledgers) {
    for (const [key, count] of Object.entries(ledger.acked)) acked.set(key, count);
  }
  const received = new Map<string, Record<string, number>>();
  for (const ledger of ledgers) {
    for (const [user, byKey] of Object.entries(ledger.received)) received.set(user, byKey);
  }
  const result: Accounting = {
    acked: 0,
    expectedDeliveries: 0,
    delivered: 0,
    lost: 0,
    unexpected: 0,
    duplicates: ledgers.reduce((sum, l) => sum + l.duplicates, 0),
  };
  const matched = new Set<string>();
  for (const [key, count] of acked) {
    result.acked += count;
    const [sender, tag] = key.split("|") as [string, string];
    for (const member of conversations.get(tag) ?? []) {
      if (member === sender) continue;
      const got = received.get(member)?.[key] ?? 0;
      matched.add(`${member}|${key}`);
      result.expectedDeliveries += count;
      result.delivered += Math.min(got, count);
      result.lost += Math.max(0, count - got);
      result.unexpected += Math.max(0, got - count);
    }
  }
  for (const [user, byKey] of received) {
    for (const [key, got] of Object.entries(byKey)) {
      if (!matched.has(`${user}|${key}`)) result.unexpected += got;
    }
  }
  return result;
}
