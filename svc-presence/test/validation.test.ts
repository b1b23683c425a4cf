import assert from "node:assert/strict";
import { ParleyError } from "@parley/common";
import { event, PresenceDeployment } from "./helpers/deployment.js";

async function failureOf(promise: Promise<unknown>): Promise<ParleyError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ParleyError);
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("svc-presence input checks", function () {
  let d: PresenceDeployment;
  before(async () => {
    d = await PresenceDeployment.start({
      PRESENCE_MAX_EVENTS_PER_REPORT: "100",
      PRESENCE_MAX_USERS_PER_CALL: "50",
    });
  });
  after(async () => d?.dispose());

  const refusals: [string, () => Promise<unknown>, RegExp][] = [
    ["an empty edge id", () => d.report("", []), /edge_id/],
    ["an edge id with a dot", () => d.report("a.b", []), /edge_id/],
    ["a 65-character edge id", () => d.report("e".repeat(65), []), /edge_id/],
    ["a user id with a wildcard", () => d.report("e1", [event("a*", "d", true)]), /events\[0\]/],
    [
      "an empty device id",
      () => d.report("e1", [event("ann", "d", true), event("ann", "", false)]),
      /events\[1\]/,
    ],
    [
      "more events than the cap",
      () =>
        d.report(
          "e1",
          Array.from({ length: 101 }, (_, i) => event(`u${i}`, "d", true)),
        ),
      /at most 100 events/,
    ],
    [
      "a disconnect in a snapshot",
      () => d.report("e1", [event("ann", "d", false)], { snapshot: true }),
      /snapshot/,
    ],
    [
      "a snapshot that says goodbye",
      () => d.report("e1", [], { snapshot: true, goodbye: true }),
      /not both/,
    ],
    ["a malformed id in GetPresence", () => d.get(["ann", "b c"]), /user_ids\[1\]/],
    [
      "too many ids in GetPresence",
      () => d.get(Array.from({ length: 51 }, (_, i) => `u${i}`)),
      /at most 50/,
    ],
  ];
  for (const [what, call, reason] of refusals) {
    it(`should answer INVALID_ARGUMENT to ${what}`, async () => {
      const err = await failureOf(call());
      assert.equal(err.code, "invalid_argument");
      assert.match(err.message, reason);
    });
  }

  it("should apply nothing of a refused report", async () => {
    await failureOf(d.report("e2", [event("zed", "d", true), event("z.z", "d", true)]));
    assert.equal(await d.onlineOf("zed"), false);
  });

  it("should accept a report at the cap", async () => {
    const events = Array.from({ length: 100 }, (_, i) => event(`cap${i}`, "d", true));
    await d.report("e3", events, { snapshot: true });
    assert.equal(
      (await d.get(["cap0", "cap99"])).every((p) => p.online),
      true,
    );
    await d.report("e3", [], { goodbye: true });
  });
});
