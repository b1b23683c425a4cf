import type { Logger } from "@parley/common";
import type pg from "pg";
import type { EventPublisher } from "../nats/event-publisher.js";
import type { ConversationReader } from "../pg/conversation-reader.js";

/** What the membership operations need; wired in app.ts. */
export interface GroupDeps {
  pool: pg.Pool;
  reader: ConversationReader;
  publisher: EventPublisher;
  /** Most members a group may have, the creator included. */
  maxMembers: number;
  log: Logger;
}
