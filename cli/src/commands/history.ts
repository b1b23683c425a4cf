import { UsageError } from "../errors.js";
import { formatMessage } from "../format.js";
import type { Message } from "../frames.js";
import type { Session } from "../session.js";
import type { Command } from "./command.js";

/** The edge refuses history limits outside 1 to 500 (docs/protocol.md). */
const MAX_LIMIT = 500;

export const historyCommand: Command = {
  name: "history",
  synopsis: "CONV [--limit N] [--before SEQ | --after SEQ | --oldest] [--all]",
  summary: "print stored messages of a conversation, oldest first",
  details: `Prints one page of the conversation's stored messages (and, in groups,
membership changes), in seq order; with --json one message object per line.
By default the newest page. An empty output means there was nothing more.

  --limit N     at most N messages per page (1 to ${MAX_LIMIT}; the server may
                return fewer, its default is 50)
  --before SEQ  the newest messages with a seq below SEQ (walk back in time)
  --after SEQ   the oldest messages with a seq above SEQ (walk forward)
  --oldest      the oldest page instead of the newest
  --all         page on until the end: forward from --after SEQ (or from the
                oldest message), or back from --before SEQ; printed in seq
                order either way

History is stored a moment after a message is sent: a message just sent may
not be in a page yet.`,
  options: {
    limit: { type: "string" },
    before: { type: "string" },
    after: { type: "string" },
    oldest: { type: "boolean" },
    all: { type: "boolean" },
  },

  async run(args, { output, connect }) {
    const [conversationId, ...extra] = args.positionals;
    if (!conversationId || extra.length > 0) {
      throw new UsageError("history takes exactly one conversation id (CONV)");
    }
    const limit = args.integer("limit", 1, MAX_LIMIT);
    const before = args.integer("before", 1);
    const after = args.integer("after", 1);
    const cursors = [before, after, args.flag("oldest") || undefined].filter((c) => c);
    if (cursors.length > 1) throw new UsageError("give one of --before, --after and --oldest");

    const pages = new Pages(conversationId, limit);
    const session = await connect();
    const print = (messages: Message[]) => {
      for (const message of messages) output.result(message, formatMessage);
    };
    try {
      if (!args.flag("all")) {
        print(await pages.one(session, { before, after, oldest: args.flag("oldest") }));
      } else if (before !== undefined) {
        print(await pages.allBefore(session, before));
      } else {
        await pages.allAfter(session, after, print);
      }
    } finally {
      await session.close();
    }
  },
};

interface Page {
  messages: Message[];
  has_more: boolean;
}

/** History requests of one conversation, a page at a time. */
class Pages {
  constructor(
    private readonly conversationId: string,
    private readonly limit: number | undefined,
  ) {}

  async one(
    session: Session,
    where: { before?: number; after?: number; oldest?: boolean },
  ): Promise<Message[]> {
    return (await this.fetch(session, where)).messages;
  }

  /**
   * Every message above `after` (all of them without it), walking forward:
   * each page goes to `emit` as it comes.
   */
  async allAfter(
    session: Session,
    after: number | undefined,
    emit: (messages: Message[]) => void,
  ): Promise<void> {
    let page = await this.fetch(session, after === undefined ? { oldest: true } : { after });
    emit(page.messages);
    while (page.has_more && page.messages.length > 0) {
      page = await this.fetch(session, { after: page.messages.at(-1)!.seq });
      emit(page.messages);
    }
  }

  /**
   * Every message below `before`, walking back; returned in seq order, so
   * all of them are held until the oldest page has come.
   */
  async allBefore(session: Session, before: number): Promise<Message[]> {
    const pages: Message[][] = [];
    let page = await this.fetch(session, { before });
    pages.unshift(page.messages);
    while (page.has_more && page.messages.length > 0) {
      page = await this.fetch(session, { before: page.messages[0]!.seq });
      pages.unshift(page.messages);
    }
    return pages.flat();
  }

  private async fetch(
    session: Session,
    { before, after, oldest }: { before?: number; after?: number; oldest?: boolean },
  ): Promise<Page> {
    const answer = await session.request({
      type: "history",
      conversation_id: this.conversationId,
      ...(before !== undefined && { before_seq: before }),
      ...(after !== undefined && { after_seq: after }),
      ...(oldest && { from_oldest: true }),
      ...(this.limit !== undefined && { limit: this.limit }),
    });
    return answer as unknown as Page;
  }
}
