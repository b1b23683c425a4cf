// The bare WebSocket baseline: a minimal relay built on `ws` alone that
// speaks just enough of the Parley protocol for the same load clients
// (hello, send, create_group, ack), with nothing durable behind it. A
// send goes from the sender's socket straight to the recipients' sockets
// (a group's other members), then `sent` goes back. Run as its own
// process (forked by the bench); it reports its port over IPC.
import { WebSocketServer, type WebSocket } from "ws";

const sockets = new Map<string, WebSocket>();
const groups = new Map<string, string[]>();
let inboxSeq = 0;
let messageSeq = 0;

/** The token's `sub`, unverified: the relay trusts its load clients. */
function userOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
  return payload.sub as string;
}

function deliver(to: string, message: Record<string, unknown>): void {
  sockets.get(to)?.send(JSON.stringify({ type: "message", inbox_seq: ++inboxSeq, message }));
}

function onFrame(ws: WebSocket, user: string | undefined, frame: Record<string, unknown>) {
  switch (frame.type) {
    case "hello": {
      const me = userOf(frame.token as string);
      sockets.set(me, ws);
      ws.send(JSON.stringify({ type: "welcome", user_id: me, device_id: "bench" }));
      ws.send(JSON.stringify({ type: "caught_up", inbox_seq: inboxSeq }));
      return me;
    }
    case "send": {
      const conversationId = (frame.conversation_id as string) ?? `d_${frame.to as string}`;
      const message = {
        from: user,
        client_id: frame.id,
        conversation_id: conversationId,
        body: frame.body,
      };
      const recipients = frame.to ? [frame.to as string] : (groups.get(conversationId) ?? []);
      for (const to of recipients) if (to !== user) deliver(to, message);
      ws.send(JSON.stringify({ type: "sent", id: frame.id, seq: ++messageSeq, duplicate: false }));
      return user;
    }
    case "create_group": {
      const conversationId = `g_${frame.id as string}`;
      groups.set(conversationId, [user!, ...(frame.members as string[])]);
      const conversation = { conversation_id: conversationId };
      ws.send(JSON.stringify({ type: "group_created", id: frame.id, conversation }));
      return user;
    }
  }
  return user;
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
server.on("connection", (ws) => {
  let user: string | undefined;
  ws.on("message", (data) => (user = onFrame(ws, user, JSON.parse(String(data)))));
  ws.on("close", () => user !== undefined && sockets.get(user) === ws && sockets.delete(user));
});
server.on("listening", () => {
  const { port } = server.address() as { port: number };
  process.send?.({ type: "ready", url: `ws://127.0.0.1:${port}/ws` });
});
process.on("disconnect", () => process.exit(0));
