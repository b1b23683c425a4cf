import assert from "node:assert/strict";
import { createLogger } from "@parley/common";
import pLimit from "p-limit";
import { InboxEntry } from "../../src/delivery/inbox-entry.js";
import { jittered } from "../../src/delivery/jitter.js";
import {
  InboxFollower,
  type DeliverySink,
  type InboxSource,
} from "../../src/delivery/inbox-follower.js";

/** A user's inbox as a list of sequences (other users' entries make the holes). */
class FakeInbox implements InboxSource {
  readonly seqs: number[] = [];
  reads = 0;

  append(seq: number): { entry: InboxEntry; prev: number } {
    const prev = this.seqs.at(-1) ?? 0;
    this.seqs.push(seq);
    return { entry: new InboxEntry(seq, undefined), prev };
  }

  async lastSeq(): Promise<number> {
    return this.seqs.at(-1) ?? 0;
  }

  async *entriesFrom(start: number): AsyncIterable<InboxEntry[]> {
    this.reads++;
    const batch = this.seqs.filter((s) => s >= start).map((s) => new InboxEntry(s, undefined));
    if (batch.length > 0) yield batch;
  }
}

class RecordingSink implements DeliverySink {
  readonly delivered: number[] = [];
  readonly caughtUps: number[] = [];
  /** While false, deliver() asks for a wait and drained() waits for drain(). */
  room = true;
  private waiting: (() => void) | undefined;
  private draining: (() => void) | undefined;

  deliver(entry: InboxEntry): boolean {
    this.delivered.push(entry.seq);
    return this.room;
  }
  caughtUp(seq: number): void {
    this.caughtUps.push(seq);
    this.waiting?.();
  }
  ephemeral(): void {}
  drained(): Promise<void> {
    if (this.room) return Promise.resolve();
    return new Promise((resolve) => (this.draining = resolve));
  }
  /** Makes room and wakes a drained() waiter. */
  drain(): void {
    this.room = true;
    this.draining?.();
  }
  /** Resolves at the next caught_up. */
  nextCaughtUp(): Promise<void> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

const options = {
  maxBuffered: 100,
  retryMinMs: 1,
  retryMaxMs: 10,
  catchUps: pLimit(64),
};
const logger = createLogger("test", "silent");
const log = { logAt: () => logger };

describe("InboxFollower", () => {
  let inbox: FakeInbox;
  let sink: RecordingSink;
  let follower: InboxFollower;

  beforeEach(() => {
    inbox = new FakeInbox();
    sink = new RecordingSink();
    follower = new InboxFollower(inbox, sink, options, log);
  });

  it("should deliver the backlog after the cursor, then caught_up", async () => {
    [3, 5, 8].forEach((s) => inbox.append(s));
    const done = sink.nextCaughtUp();
    follower.start(3);
    await done;
    assert.deepEqual(sink.delivered, [5, 8]);
    assert.deepEqual(sink.caughtUps, [8]);
  });

  it("should skip the backlog read when nothing is newer than the cursor", async () => {
    inbox.append(4);
    const done = sink.nextCaughtUp();
    follower.start(4);
    await done;
    assert.equal(inbox.reads, 0);
    assert.deepEqual(sink.caughtUps, [4]);
  });

  it("should drop live entries it already delivered from the backlog", async () => {
    const held = [inbox.append(1), inbox.append(2)];
    const done = sink.nextCaughtUp();
    follower.start(0);
    for (const { entry, prev } of held) follower.onLive(entry, prev);
    await done;
    assert.deepEqual(sink.delivered, [1, 2]);
  });

  it("should deliver a live entry that follows on without reading the inbox", async () => {
    const done = sink.nextCaughtUp();
    follower.start(0);
    await done;
    const { entry, prev } = inbox.append(7);
    follower.onLive(entry, prev);
    assert.deepEqual(sink.delivered, [7]);
    assert.equal(inbox.reads, 0);
  });

  it("should go back to the inbox on a gap and deliver the missed entry first", async () => {
    let done = sink.nextCaughtUp();
    follower.start(0);
    await done;
    inbox.append(4); // missed: never seen live
    const next = inbox.append(9);
    done = sink.nextCaughtUp();
    follower.onLive(next.entry, next.prev);
    assert.deepEqual(sink.delivered, [], "nothing is delivered out of order");
    await done;
    assert.deepEqual(sink.delivered, [4, 9]);
    assert.deepEqual(sink.caughtUps, [0, 9]);
  });

  it("should re-read the inbox on resync and deliver what it missed", async () => {
    let done = sink.nextCaughtUp();
    follower.start(0);
    await done;
    inbox.append(2);
    inbox.append(3);
    done = sink.nextCaughtUp();
    follower.resync();
    await done;
    assert.deepEqual(sink.delivered, [2, 3]);
  });

  it("should read the inbox again when more live entries arrive than it may hold", async () => {
    const small = new InboxFollower(inbox, sink, { ...options, maxBuffered: 2 }, log);
    const done = sink.nextCaughtUp();
    small.start(0);
    for (let s = 1; s <= 5; s++) {
      const { entry, prev } = inbox.append(s);
      small.onLive(entry, prev);
    }
    await done;
    assert.deepEqual(sink.delivered, [1, 2, 3, 4, 5]);
  });

  it("should wait for the sink to drain before each further entry", async () => {
    [1, 2, 3].forEach((s) => inbox.append(s));
    sink.room = false;
    const done = sink.nextCaughtUp();
    follower.start(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(sink.delivered, [1], "one entry, then a wait");
    sink.drain();
    await done;
    assert.deepEqual(sink.delivered, [1, 2, 3]);
  });

  it("should deliver held live entries after the backlog, waiting for the sink too", async () => {
    inbox.append(1);
    sink.room = false;
    const done = sink.nextCaughtUp();
    follower.start(0);
    const live = [inbox.append(2), inbox.append(3)];
    for (const { entry, prev } of live) follower.onLive(entry, prev);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(sink.delivered, [1]);
    sink.drain();
    await done;
    assert.deepEqual(sink.delivered, [1, 2, 3]);
  });

  it("should read one backlog at a time under a limit of one", async () => {
    const catchUps = pLimit(1);
    let release: () => void = () => {};
    const slow: InboxSource = {
      lastSeq: async () => 1,
      async *entriesFrom() {
        await new Promise<void>((resolve) => (release = resolve));
        yield [new InboxEntry(1, undefined)];
      },
    };
    const other = new FakeInbox();
    other.append(1);
    const first = new InboxFollower(slow, new RecordingSink(), { ...options, catchUps }, log);
    const second = new InboxFollower(other, sink, { ...options, catchUps }, log);
    first.start(0);
    const done = sink.nextCaughtUp();
    second.start(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(other.reads, 0, "the second waits for the first's slot");
    release();
    await done;
    assert.deepEqual(sink.delivered, [1]);
  });

  it("should spread retry waits between half the wait and the wait", () => {
    assert.equal(
      jittered(100, () => 0),
      50,
    );
    assert.equal(
      jittered(100, () => 0.999),
      100,
    );
  });

  it("should deliver nothing once closed", async () => {
    inbox.append(1);
    follower.start(0);
    follower.close();
    const { entry, prev } = inbox.append(2);
    follower.onLive(entry, prev);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sink.delivered, []);
  });
});
