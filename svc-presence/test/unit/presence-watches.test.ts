import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig, natsSettings, topologyFromSettings, type Logger } from "@parley/common";
import { PresenceWatches } from "../../src/grpc/presence-watches.js";
import type { PresenceReader } from "../../src/presence/presence-reader.js";
import { baseEnv, uniqueNamespace } from "../../../testkit/env.js";

const silent = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Logger;

describe("svc-presence watches of cancelled calls", function () {
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: baseEnv(uniqueNamespace()).NATS_URL });
  });
  after(async () => nc?.close());

  it("should not subscribe for a call cancelled before it started", async () => {
    const env = baseEnv(uniqueNamespace());
    const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
    const reader = {
      read: () => assert.fail("a cancelled call reads nothing"),
    } as unknown as PresenceReader;
    const watches = new PresenceWatches(nc, topology, reader, silent);
    const call = Object.assign(new EventEmitter(), { cancelled: true, destroyed: false });
    await watches.serve(call as never, ["vic", "wes"]);
    assert.equal(watches.openSubscriptions, 0);
  });
});
