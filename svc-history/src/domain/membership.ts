import {
  MembershipChange_Action as Action,
  type MembershipChange,
} from "@parley/proto/parley/events/v1/events";

/**
 * A membership change as stored in `messages.membership` (jsonb). Actions
 * are stored by name, not by proto number, so the rows read on their own.
 */
export interface StoredMembership {
  action: ActionName;
  actor_id: string;
  user_ids: string[];
  /** Present on "created" only. */
  title?: string;
}

const NAMES = {
  [Action.ACTION_UNSPECIFIED]: "unspecified",
  [Action.ACTION_CREATED]: "created",
  [Action.ACTION_ADDED]: "added",
  [Action.ACTION_REMOVED]: "removed",
  [Action.ACTION_LEFT]: "left",
  [Action.ACTION_PROMOTED]: "promoted",
} as const;
export type ActionName = (typeof NAMES)[keyof typeof NAMES];

const ACTIONS = new Map<string, Action>(
  Object.entries(NAMES).map(([action, name]) => [name, Number(action) as Action]),
);

export function toStoredMembership(change: MembershipChange): StoredMembership {
  // An action this build does not know (a newer writer) is kept as unspecified
  // rather than failing the batch: the row still shows who changed what.
  const action = NAMES[change.action] ?? "unspecified";
  const stored: StoredMembership = {
    action,
    actor_id: change.actorId,
    user_ids: change.userIds,
  };
  if (change.title !== "") stored.title = change.title;
  return stored;
}

export function fromStoredMembership(stored: StoredMembership): MembershipChange {
  return {
    action: ACTIONS.get(stored.action) ?? Action.ACTION_UNSPECIFIED,
    actorId: stored.actor_id,
    userIds: stored.user_ids,
    title: stored.title ?? "",
  };
}
