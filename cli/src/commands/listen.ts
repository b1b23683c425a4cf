import { Interrupted, TimedOut, UsageError } from "../errors.js";
import { counted, formatMessage, formatReceipt } from "../format.js";
import type { Message, Receipt } from "../frames.js";
import type { Output } from "../output.js";
import type { InboxFrame, Session } from "../session.js";
import type { Command } from "./command.js";

export const listenCommand: Command = {
  name: "listen",
  synopsis: "[--count N] [--messages-only]",
  summary: "print messages and receipts as they arrive, and ack them",
  details: `Connects as the device, prints what its inbox holds that it has not acked
yet, then every message and receipt as it arrives, and acks each one once
printed: an entry printed is not delivered to this device again. With --json,
each entry is one line: the \`message\` or \`receipt\` frame as the server sent it.

  --count N          exit 0 after printing N entries; what arrives beyond them
                     is not acked, so it comes again on the next connection
  --messages-only    print only messages; receipts are acked without printing
  --timeout SECONDS  with --count: exit 5 if fewer than N entries were printed
                     by then (those printed stay acked). Without --count it
                     only bounds connecting: listen runs until stopped

Without --count, listen runs until SIGINT or SIGTERM and then exits 0, after
acking what it printed. Listening and sending as one device at once closes
the older connection (4409): give the listener its own --device or token.`,
  options: {
    count: { type: "string" },
    "messages-only": { type: "boolean" },
  },

  async run(args, { output, connect, stopRequested, timeoutMs }) {
    if (args.positionals.length > 0) throw new UsageError("listen takes no arguments");
    const count = args.integer("count", 1);
    const limit = {
      count,
      // --timeout always bounds connecting; it bounds the wait only when given.
      waitMs: count !== undefined && args.has("timeout") ? timeoutMs : undefined,
      messagesOnly: args.flag("messages-only"),
    };
    const session = await connect();
    try {
      await receive(session, limit, output, stopRequested);
    } finally {
      await session.close();
    }
  },
};

/**
 * Prints and acks inbox entries until --count is reached, the wait times
 * out, a stop is requested or the session fails.
 */
async function receive(
  session: Session,
  { count, waitMs, messagesOnly }: Limit,
  output: Output,
  stopRequested: Promise<void>,
): Promise<void> {
  const acks = new AckBatch(session);
  let printed = 0;
  let done!: () => void;
  const reached = new Promise<void>((resolve) => (done = resolve));
  session.listenInbox((entry) => {
    if (count !== undefined && printed >= count) return; // left for the next connection
    if (!messagesOnly || entry.type === "message") {
      output.result(entry, formatEntry);
      printed++;
    }
    acks.add(entry.inbox_seq);
    if (printed === count) done();
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (waitMs === undefined || count === undefined) return;
    timer = setTimeout(() => {
      const wanted = messagesOnly
        ? counted(count, "message", "messages")
        : counted(count, "entry", "entries");
      reject(new TimedOut(`receiving ${wanted} (${printed} arrived)`, waitMs));
    }, waitMs);
  });
  const stopped = stopRequested.then(() => {
    if (count !== undefined) throw new Interrupted(`stopped after ${printed} of ${count}`);
  });
  stopped.catch(() => {}); // a stop after the end is nobody's failure
  try {
    await Promise.race([reached, timedOut, stopped, session.failed]);
  } finally {
    clearTimeout(timer);
    acks.flush();
  }
}

interface Limit {
  count: number | undefined;
  waitMs: number | undefined;
  messagesOnly: boolean;
}

function formatEntry(entry: InboxFrame): string {
  return entry.type === "message"
    ? formatMessage(entry.message as Message)
    : formatReceipt(entry as unknown as Receipt);
}

/**
 * Acks are cumulative, so a burst of entries (a backlog) needs only the
 * last one acked: the ack waits for the burst to be handled, then goes once.
 */
class AckBatch {
  private pending: number | undefined;
  private scheduled = false;

  constructor(private readonly session: Session) {}

  add(inboxSeq: number): void {
    this.pending = inboxSeq;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends the pending ack, unless the session has already failed. */
  flush(): void {
    this.scheduled = false;
    if (this.pending === undefined) return;
    const inboxSeq = this.pending;
    this.pending = undefined;
    try {
      this.session.ack(inboxSeq);
    } catch {
      // The session failed; the command reports that failure, not this.
    }
  }
}
