import { randomUUID } from "node:crypto";
import { text } from "node:stream/consumers";
import { ConnectionClosed, TimedOut, UsageError } from "../errors.js";
import { formatSent } from "../format.js";
import type { Sent } from "../frames.js";
import type { Command } from "./command.js";

export const sendCommand: Command = {
  name: "send",
  synopsis: "(--to USER | --group ID) TEXT",
  summary: "send TEXT to a user or a group; prints the server's `sent` answer",
  details: `Sends one text message and waits until the server has made it durable.
Prints the conversation, the message's seq and its server id; with --json,
the \`sent\` frame as the server answered it (message_id, conversation_id,
seq, sent_at, duplicate). A refused send exits 1 with the error code and
reason on stderr.

  --to USER      the recipient of a 1:1 message
  --group ID     the group conversation to send to (a g_ id)
  --id ID        the send's id (its idempotency key; default: a random one).
                 Sending again with the same --id creates nothing new
  --retry        mark a resend of an --id that got no answer, so the server
                 also looks it up in stored history

TEXT "-" reads the text from stdin (one trailing newline is dropped).`,
  options: {
    to: { type: "string" },
    group: { type: "string" },
    id: { type: "string" },
    retry: { type: "boolean" },
  },

  async run(args, { output, connect }) {
    const [body, ...extra] = args.positionals;
    if (body === undefined || extra.length > 0) {
      throw new UsageError("send takes exactly one TEXT (quote it; - reads stdin)");
    }
    const to = args.string("to");
    const group = args.string("group");
    if ((to === undefined) === (group === undefined)) {
      throw new UsageError("send needs exactly one of --to USER and --group ID");
    }
    if (args.flag("retry") && !args.has("id")) {
      throw new UsageError("--retry resends an earlier send: give its --id");
    }
    const id = args.string("id") ?? randomUUID();
    const frame = {
      type: "send",
      id,
      ...(to !== undefined ? { to } : { conversation_id: group }),
      body: body === "-" ? await readStdin() : body,
      ...(args.flag("retry") && { retry: true }),
    };

    const session = await connect();
    try {
      const answer = await session.request(frame);
      output.result(answer as unknown as Sent, formatSent);
    } catch (err) {
      // Without an answer the send may still have been stored (protocol:
      // resend with the same id and retry), so say which id that is.
      if (err instanceof TimedOut || err instanceof ConnectionClosed) {
        err.message += `; it may have been stored: resend with --id ${id} --retry`;
      }
      throw err;
    } finally {
      await session.close();
    }
  },
};

/** All of stdin as UTF-8, less the newline `echo` and editors end it with. */
async function readStdin(): Promise<string> {
  const all = await text(process.stdin);
  return all.endsWith("\r\n") ? all.slice(0, -2) : all.replace(/\n$/, "");
}
