// The bare core NATS baseline: a "device" is a subscription on the user's
// subject, a send is one publish (to the peer's subject, or to the group's
// subject that every member subscribes to, so NATS does the fanout). No
// durability, no acks: "sent" is reported once the publish is handed to
// the connection.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Device, DeviceEvents, Frame, ReceivedMessage } from "./device.js";

export class NatsDevice implements Device {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    readonly user: string,
    private readonly events: DeviceEvents,
  ) {
    this.listen(`${prefix}.u.${user}`);
  }

  send(frame: Frame): void {
    if (frame.type !== "send") return;
    const message: ReceivedMessage = {
      from: this.user,
      client_id: frame.id as string,
      body: frame.body as string,
    };
    const subject = frame.to
      ? `${this.prefix}.u.${frame.to as string}`
      : `${this.prefix}.g.${frame.conversation_id as string}`;
    this.nc.publish(subject, JSON.stringify({ type: "message", message }));
    queueMicrotask(() => this.events.sent(this, frame.id as string));
  }

  /** Only create_group: tells every member (itself included) to subscribe. */
  async request(frame: Frame & { id: string }): Promise<Frame> {
    const conversationId = `g${frame.id}`;
    const members = [this.user, ...(frame.members as string[])];
    for (const member of members) {
      const join = { type: "join", subject: `${this.prefix}.g.${conversationId}` };
      this.nc.publish(`${this.prefix}.u.${member}`, JSON.stringify(join));
    }
    await this.nc.flush();
    return { type: "group_created", conversation: { conversation_id: conversationId } };
  }

  flushAck(): void {}

  async close(): Promise<void> {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
  }

  terminate(): void {
    void this.close();
  }

  private listen(subject: string): void {
    const sub = this.nc.subscribe(subject, {
      callback: (_err, msg) => {
        const frame = msg.json<Frame>();
        if (frame.type === "join") return this.listen(frame.subject as string);
        this.events.message(this, frame.message as ReceivedMessage);
      },
    });
    this.subscriptions.push(sub);
  }
}
