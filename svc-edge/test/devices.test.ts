import assert from "node:assert/strict";
import { EdgeDeployment, token } from "./support/deployment.js";
import { InboxWriter } from "./support/inbox-writer.js";
import { TestClient, type Closed, type Frame } from "./support/ws-client.js";

const seqs = (frames: Frame[]) => frames.map((f) => Number(f.inbox_seq));
const MAX_DEVICES = 3;

/** Says hello as the device; resolves with the client once welcomed, or how it closed. */
async function attempt(url: string, userId: string, deviceId: string) {
  const client = await TestClient.connect(url);
  client.send({ type: "hello", token: await token({ userId, deviceId }) });
  const outcome = await Promise.race([
    client.next((f) => f.type === "welcome").then(() => "welcome" as const),
    client.closed,
  ]);
  return { client, outcome };
}

describe("svc-edge multiple devices per user", () => {
  let dep: EdgeDeployment;
  let inbox: InboxWriter;
  let user = 0;
  /** A user of its own for each test: device lists and inboxes never overlap. */
  const nextUser = () => `m${++user}`;

  before(async () => {
    dep = await EdgeDeployment.start({
      EDGE_MAX_DEVICES: String(MAX_DEVICES),
      EDGE_CURSOR_FLUSH_MS: "100",
    });
    inbox = await InboxWriter.connect(dep.namespace);
  });
  after(async () => {
    await inbox?.close();
    await dep?.stop();
  });

  it("should deliver to each of three devices and keep a cursor per device", async () => {
    const ann = nextUser();
    const devices = await Promise.all(["phone", "laptop", "tablet"].map((d) => dep.open(ann, d)));
    await Promise.all(devices.map((c) => c.caughtUp()));
    const seq = await inbox.write(ann, "to every device");
    for (const client of devices) assert.deepEqual(seqs(await client.messages(1)), [seq]);

    const [phone] = devices;
    phone!.send({ type: "ack", inbox_seq: seq });
    await phone!.request({ type: "ping", id: "sync" });
    await Promise.all(devices.map((c) => c.close()));

    const phoneAgain = await dep.open(ann, "phone");
    await phoneAgain.caughtUp();
    assert.equal(phoneAgain.receivedMessages().length, 0, "the phone acked it");
    const laptopAgain = await dep.open(ann, "laptop");
    await laptopAgain.caughtUp();
    assert.deepEqual(seqs(laptopAgain.receivedMessages()), [seq], "the laptop did not");
    await Promise.all([phoneAgain.close(), laptopAgain.close()]);
  });

  it("should start a device linked next to others from now, and the first from the start", async () => {
    const bea = nextUser();
    const backlog = await inbox.writeMany(bea, 3);
    const first = await dep.open(bea, "phone");
    assert.deepEqual(seqs(await first.messages(3)), backlog);
    await first.caughtUp();

    const second = await dep.open(bea, "laptop");
    assert.equal((await second.caughtUp()).inbox_seq, backlog.at(-1));
    assert.equal(second.receivedMessages().length, 0, "the past comes from history");
    const later = await inbox.write(bea, "later");
    assert.deepEqual(seqs(await second.messages(1)), [later]);
    assert.deepEqual(seqs(await first.messages(1)), [later]);

    // Its start was stored at link time: reconnecting without acks keeps it.
    await second.close();
    const again = await dep.open(bea, "laptop");
    await again.caughtUp();
    assert.deepEqual(seqs(again.receivedMessages()), [later]);
    await Promise.all([first.close(), again.close()]);
  });

  it("should refuse the device past the cap with 4403 and still admit linked ones", async () => {
    const cy = nextUser();
    const linked = [];
    for (let i = 0; i < MAX_DEVICES; i++) linked.push(await dep.open(cy, `d${i}`));
    const { outcome } = await attempt(dep.url, cy, "one-too-many");
    assert.deepEqual(outcome, {
      code: 4403,
      reason: `device limit reached (${MAX_DEVICES}): unlink a device first`,
    } satisfies Closed);
    await linked[0]!.close();
    const back = await dep.open(cy, "d0");
    await back.caughtUp();
    await Promise.all([back.close(), ...linked.slice(1).map((c) => c.close())]);
  });

  it("should list the linked devices, marking the current one", async () => {
    const di = nextUser();
    const phone = await dep.open(di, "phone");
    const laptop = await dep.open(di, "laptop");
    const answer = await laptop.request({ type: "devices", id: "l1" });
    assert.equal(answer.type, "devices");
    const listed = answer.devices as { device_id: string; linked_at: number; current: boolean }[];
    assert.deepEqual(
      listed.map((d) => [d.device_id, d.current]),
      [
        ["phone", false],
        ["laptop", true],
      ],
    );
    assert.ok(listed.every((d) => Number.isSafeInteger(d.linked_at) && d.linked_at > 0));
    assert.ok(listed[0]!.linked_at <= listed[1]!.linked_at);
    await Promise.all([phone.close(), laptop.close()]);
  });

  it("should unlink a device: free its slot and close its session with 4403", async () => {
    const ed = nextUser();
    const [phone, laptop, tablet] = await Promise.all(
      ["phone", "laptop", "tablet"].map((d) => dep.open(ed, d)),
    );
    assert.deepEqual(
      await phone!.request({ type: "unlink_device", id: "u1", device_id: "laptop" }),
      {
        type: "unlinked",
        id: "u1",
        device_id: "laptop",
      },
    );
    assert.deepEqual(await laptop!.closed, { code: 4403, reason: "device unlinked" });
    const watch = await dep.open(ed, "watch");
    const listed = await phone!.request({ type: "devices", id: "l1" });
    // The three first devices linked concurrently: their order is not fixed.
    assert.deepEqual((listed.devices as { device_id: string }[]).map((d) => d.device_id).sort(), [
      "phone",
      "tablet",
      "watch",
    ]);
    await Promise.all([phone!.close(), tablet!.close(), watch.close()]);
  });

  it("should answer not_found for an unknown device and invalid_argument for a bad id", async () => {
    const flo = nextUser();
    const phone = await dep.open(flo, "phone");
    const unknown = await phone.request({ type: "unlink_device", id: "u1", device_id: "nope" });
    assert.equal(unknown.code, "not_found");
    const bad = await phone.request({ type: "unlink_device", id: "u2", device_id: "a b" });
    assert.equal(bad.code, "invalid_argument");
    for (const frame of [{ type: "devices" }, { type: "devices", id: "x".repeat(65) }]) {
      phone.send(frame);
      assert.equal((await phone.next((f) => f.type === "error")).code, "invalid_argument");
    }
    await phone.close();
  });

  it("should never link more than the cap when two edges race", async () => {
    const other = await EdgeDeployment.start(
      { EDGE_MAX_DEVICES: String(MAX_DEVICES) },
      dep.namespace,
    );
    try {
      const gus = nextUser();
      const tries = await Promise.all(
        Array.from({ length: 8 }, (_, i) => attempt(i % 2 ? other.url : dep.url, gus, `r${i}`)),
      );
      const admitted = tries.filter((t) => t.outcome === "welcome");
      const refused = tries.filter((t) => t.outcome !== "welcome");
      assert.equal(admitted.length, MAX_DEVICES);
      assert.ok(refused.every((t) => (t.outcome as Closed).code === 4403));
      const listed = await admitted[0]!.client.request({ type: "devices", id: "l1" });
      assert.equal((listed.devices as unknown[]).length, MAX_DEVICES);
      await Promise.all(tries.map((t) => t.client.close()));
    } finally {
      await other.edge.stop();
    }
  });
});
