import assert from "node:assert/strict";
import { EdgeDeployment } from "./support/deployment.js";
import type { TestClient } from "./support/ws-client.js";

/** Frames the edge refuses itself, with the reason it gives. */
const refused: [string, Record<string, unknown>, RegExp][] = [
  [
    "send to and conversation_id",
    { type: "send", to: "bob", conversation_id: "g_x", body: "hi" },
    /exclude each other/,
  ],
  [
    "send without a target",
    { type: "send", body: "hi" },
    /^to .* or conversation_id .* is required/,
  ],
  [
    "send to a 1:1 conversation id",
    { type: "send", conversation_id: "d_pair", body: "hi" },
    /^conversation_id must name a group/,
  ],
  [
    "send to a malformed group",
    { type: "send", conversation_id: "g_no.dots", body: "hi" },
    /^conversation_id is missing or malformed/,
  ],
  [
    "create_group without a title",
    { type: "create_group", members: [] },
    /^title must be a non-empty string/,
  ],
  [
    "create_group with a long title",
    { type: "create_group", title: "é".repeat(101), members: [] },
    /^title must be 1 to 100 characters/,
  ],
  [
    "create_group with a newline in the title",
    { type: "create_group", title: "a\nb", members: [] },
    /^title must not hold control characters/,
  ],
  [
    "create_group with members that are not a list",
    { type: "create_group", title: "t", members: "bob" },
    /^members must be an array of user ids/,
  ],
  [
    "create_group with a bad member",
    { type: "create_group", title: "t", members: ["ok", "no.dots"] },
    /^members\[1\] must be 1 to 64 characters/,
  ],
  [
    "create_group with a member twice",
    { type: "create_group", title: "t", members: ["a", "a"] },
    /^members lists "a" twice/,
  ],
  [
    "create_group with too many members",
    { type: "create_group", title: "t", members: ["a", "b", "c", "d"] },
    /^members lists 4 user ids, over the 3 limit/,
  ],
  [
    "add_members with nobody",
    { type: "add_members", conversation_id: "g_x", user_ids: [] },
    /^user_ids must list at least one user id/,
  ],
  [
    "add_members to a 1:1 conversation",
    { type: "add_members", conversation_id: "d_x", user_ids: ["a"] },
    /^conversation_id must name a group/,
  ],
  [
    "add_members without a conversation",
    { type: "add_members", user_ids: ["a"] },
    /^conversation_id is missing or malformed/,
  ],
  [
    "remove_member without a user",
    { type: "remove_member", conversation_id: "g_x" },
    /^user_id must be 1 to 64 characters/,
  ],
  [
    "leave_group without a conversation",
    { type: "leave_group" },
    /^conversation_id is missing or malformed/,
  ],
  [
    "get_conversation of a malformed id",
    { type: "get_conversation", conversation_id: "nope" },
    /^conversation_id is missing or malformed/,
  ],
  [
    "list_members of a malformed id",
    { type: "list_members", conversation_id: 7 },
    /^conversation_id is missing or malformed/,
  ],
  [
    "list_conversations with limit 0",
    { type: "list_conversations", limit: 0 },
    /^limit must be 1 to 500/,
  ],
  [
    "list_conversations with limit 501",
    { type: "list_conversations", limit: 501 },
    /^limit must be 1 to 500/,
  ],
  [
    "list_conversations with a numeric page_token",
    { type: "list_conversations", page_token: 5 },
    /^page_token must be/,
  ],
  [
    "read without a seq",
    { type: "read", conversation_id: "g_x" },
    /^seq must be a positive integer/,
  ],
  [
    "read of seq 0",
    { type: "read", conversation_id: "g_x", seq: 0 },
    /^seq must be a positive integer/,
  ],
  [
    "read of seq -1",
    { type: "read", conversation_id: "g_x", seq: -1 },
    /^seq must be a positive integer/,
  ],
  [
    "read of seq 1.5",
    { type: "read", conversation_id: "g_x", seq: 1.5 },
    /^seq must be a positive integer/,
  ],
  [
    'read of seq "7"',
    { type: "read", conversation_id: "g_x", seq: "7" },
    /^seq must be a positive integer/,
  ],
  [
    "read without a conversation",
    { type: "read", seq: 3 },
    /^conversation_id is missing or malformed/,
  ],
];

describe("svc-edge group, conversation and read frames: validation", () => {
  let dep: EdgeDeployment;
  let client: TestClient;

  before(async () => {
    dep = await EdgeDeployment.start({
      EDGE_MAX_FRAME_USER_IDS: "3",
      EDGE_SEND_BURST: "1000",
      // Nothing listens here: valid frames fail fast as unavailable.
      DELIVERY_ADDRESS: "127.0.0.1:1",
      HISTORY_ADDRESS: "127.0.0.1:1",
    });
    client = await dep.open("validator");
  });
  after(async () => {
    await client?.close();
    await dep?.stop();
  });

  for (const [what, frame, reason] of refused) {
    it(`should refuse ${what} with invalid_argument`, async () => {
      const id = `v${refused.findIndex(([w]) => w === what)}`;
      const answer = await client.request({ ...frame, id });
      assert.equal(answer.type, "error", JSON.stringify(answer));
      assert.equal(answer.id, id);
      assert.equal(answer.code, "invalid_argument");
      assert.match(String(answer.reason), reason);
    });
  }

  it("should refuse a request without a usable id, without an id in the error", async () => {
    client.send({ type: "read", conversation_id: "g_x", seq: 1 });
    const answer = await client.next((f) => f.type === "error" && f.id === undefined);
    assert.match(String(answer.reason), /^id must be/);
  });

  it("should pass well-formed frames on, answering unavailable while svc-history is down", async () => {
    const frames = [
      { type: "create_group", title: "🦜 parley", members: [] },
      { type: "add_members", conversation_id: "g_x", user_ids: ["a", "b", "c"] },
      { type: "remove_member", conversation_id: "g_x", user_id: "a" },
      { type: "leave_group", conversation_id: "g_x" },
      { type: "get_conversation", conversation_id: "d_x" },
      { type: "list_members", conversation_id: "g_x" },
      { type: "list_conversations", limit: 500, page_token: "" },
      { type: "read", conversation_id: "d_x", seq: 1 },
    ];
    for (const [i, frame] of frames.entries()) {
      const answer = await client.request({ ...frame, id: `ok${i}` });
      assert.deepEqual(
        answer,
        { type: "error", id: `ok${i}`, code: "unavailable", reason: "history unavailable, retry" },
        frame.type,
      );
    }
    const send = await client.request({
      type: "send",
      id: "gs",
      conversation_id: "g_x",
      body: "hi",
    });
    assert.equal(send.reason, "delivery unavailable, retry");
  });
});
