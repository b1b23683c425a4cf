// From corpus scenes to a replay plan: who the users are, which 1:1 and
// group conversations exist, and every message in the order it is sent.
import type { Scene } from "./corpus.js";
import { Random } from "./random.js";
import type { UnicodeMixer } from "./unicode.js";

export interface PlanOptions {
  /** Users (one WebSocket connection each). Nicks beyond it share users. */
  users: number;
  messages: number;
  seed: number;
  /** Share of messages sent to groups; the rest go 1:1. */
  groupShare: number;
  /** Share of messages that carry an image. */
  mediaShare: number;
  /** Prefix of every user id: keeps runs against one system apart. */
  runId: string;
}

export interface PlannedConversation {
  kind: "direct" | "group";
  /** Members, the sender of every message among them. */
  members: string[];
  /** Who creates a group. */
  creator: string;
  title?: string;
  /** Indexes into Plan.messages, in the order they are sent. */
  messages: number[];
}

export interface PlannedMessage {
  index: number;
  /** The send's `id`: unique per device, so the idempotency key. */
  clientId: string;
  conversation: number;
  from: string;
  body: string;
  /** Carries an image made for it (see images.ts). */
  image: boolean;
}

export interface Plan {
  users: string[];
  conversations: PlannedConversation[];
  messages: PlannedMessage[];
}

/** Group sizes drawn uniformly from this range: ~10 on average. */
const GROUP_SIZE = { min: 3, max: 17 } as const;
/** How often a scene goes to a group its speakers already share. */
const GROUP_REUSE = 0.75;

/**
 * Walks the scenes in a seeded order (again, with users shifted, when more
 * messages are asked for than the corpus holds). A scene of three or more
 * speakers is a group conversation; the others go to a group or 1:1 so that
 * groups get `groupShare` of the messages. A monologue gets a listener.
 */
export function makePlan(scenes: Scene[], mixer: UnicodeMixer, options: PlanOptions): Plan {
  if (options.users < 2) throw new RangeError("--users must be at least 2");
  const random = new Random(options.seed);
  const cast = castUsers(scenes, options);
  const plan: Plan = { users: cast.users, conversations: [], messages: [] };
  const directs = new Map<string, number>();
  let groupMessages = 0;

  for (let pass = 0; plan.messages.length < options.messages; pass++) {
    for (const scene of random.shuffle(scenes)) {
      if (plan.messages.length >= options.messages) break;
      const speakerOf = (nick: string) => cast.userOf(nick, pass);
      const speakers = [...new Set(scene.lines.map((l) => speakerOf(l.nick)))];
      const total = plan.messages.length + scene.lines.length;
      const toGroup =
        speakers.length > 2 || groupMessages + scene.lines.length <= options.groupShare * total;
      const conversation = toGroup
        ? groupFor(plan, speakers, random)
        : directFor(plan, directs, speakers, random);
      for (const line of scene.lines) {
        if (plan.messages.length >= options.messages) break;
        const index = plan.messages.length;
        plan.messages.push({
          index,
          clientId: `m${index}`,
          conversation,
          from: speakerOf(line.nick),
          body: mixer.mix(line.text, random),
          image: random.chance(options.mediaShare),
        });
        plan.conversations[conversation]!.messages.push(index);
        if (toGroup) groupMessages++;
      }
    }
  }
  return plan;
}

/** Users named after the corpus's nicks, most talkative first. */
function castUsers(scenes: Scene[], options: PlanOptions) {
  const said = new Map<string, number>();
  for (const line of scenes.flatMap((s) => s.lines)) {
    const key = line.nick.toLowerCase(); // IRC nicks ignore case
    said.set(key, (said.get(key) ?? 0) + 1);
  }
  const nicks = [...said].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([n]) => n);
  const rank = new Map(nicks.map((n, i) => [n, i]));
  const taken = new Set<string>();
  const users = Array.from({ length: options.users }, (_, i) => {
    const base = `${options.runId}-${(nicks[i] ?? `lurker${i}`).replace(/[^A-Za-z0-9_-]/g, "_")}`;
    let id = base.slice(0, 60);
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 56)}_${n}`;
    taken.add(id);
    return id;
  });
  const userOf = (nick: string, pass: number) => {
    const r = rank.get(nick.toLowerCase())!;
    const base = r < users.length ? r : (r * 2654435761) % users.length;
    return users[(base + pass * 37) % users.length]!;
  };
  return { users, userOf };
}

function groupFor(plan: Plan, speakers: string[], random: Random): number {
  const candidates = plan.conversations
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.kind === "group" && speakers.every((s) => c.members.includes(s)));
  if (candidates.length > 0 && random.chance(GROUP_REUSE)) return random.pick(candidates).i;

  const size = Math.min(
    plan.users.length,
    Math.max(speakers.length, random.int(GROUP_SIZE.min, GROUP_SIZE.max)),
  );
  const members = [...speakers];
  for (const user of random.shuffle(plan.users)) {
    if (members.length >= size) break;
    if (!members.includes(user)) members.push(user);
  }
  const number = plan.conversations.filter((c) => c.kind === "group").length + 1;
  plan.conversations.push({
    kind: "group",
    members,
    creator: speakers[0]!,
    title: `#debian ${number}`,
    messages: [],
  });
  return plan.conversations.length - 1;
}

function directFor(
  plan: Plan,
  directs: Map<string, number>,
  speakers: string[],
  random: Random,
): number {
  const pair = [...speakers];
  while (pair.length < 2) {
    const listener = random.pick(plan.users);
    if (!pair.includes(listener)) pair.push(listener);
  }
  const key = [...pair].sort().join(" ");
  const known = directs.get(key);
  if (known !== undefined) return known;
  plan.conversations.push({ kind: "direct", members: pair, creator: pair[0]!, messages: [] });
  directs.set(key, plan.conversations.length - 1);
  return plan.conversations.length - 1;
}
