// Devices that come back to a backlog: each recipient connects once, leaves
// (acking what it had), its senders queue `backlog` messages for it, then
// every recipient reconnects at the same moment. Times how long until each
// has all of its backlog, and accounts for every message. The reconnect
// storm is this with many recipients; the offline scenario with one
// recipient and a backlog of 1,000.
import type { ConnectResult, LedgerResult, Slot } from "../client/commands.js";
import { ClientPool, split } from "../client/pool.js";
import { account, type Accounting } from "../support/accounting.js";
import { runId, userIds } from "../support/plan.js";
import { CpuMeter } from "../support/procfs.js";
import { mergeHistograms, percentiles, round, type Percentiles } from "../support/report.js";
import { SHARED_SERVERS, startTarget } from "../support/target.js";

export interface BacklogOptions {
  recipients: number;
  backlog: number;
  senders: number;
  workers: number;
  edges: number;
  /** Sends in flight per (sender, recipient) while the backlog is queued. */
  window: number;
  bodyBytes: number;
  concurrency: number;
  urls?: string[];
  profileDir?: string;
}

export interface BacklogResult {
  recipients: number;
  backlog_per_recipient: number;
  queued: number;
  /** Sends the server refused while the backlog was queued, by error code. */
  refused: Record<string, number>;
  queue_seconds: number;
  reconnected: number;
  failed: number;
  /** From the reconnect of all recipients until the last had its whole backlog. */
  all_caught_up_ms: number;
  /** Per recipient: from its connect until it had its whole backlog. */
  per_recipient: Percentiles;
  incomplete: number;
  accounting: Accounting;
  cpu: Record<string, number>;
}

export async function runBacklog(options: BacklogOptions): Promise<BacklogResult> {
  const target = await startTarget("parley", {
    edges: options.edges,
    urls: options.urls,
    profileDir: options.profileDir,
  });
  let pool: ClientPool | undefined;
  try {
    pool = await ClientPool.start(options.workers, target.transport);
    const run = runId();
    const recipients = userIds(`r${run}`, options.recipients);
    const senders = userIds(
      `s${run}`,
      Math.min(options.senders, options.recipients * options.backlog),
    );
    // Each (sender, recipient) pair is a conversation; a recipient with fewer
    // recipients than senders (the offline case) hears from several of them.
    const conversations = new Map<string, string[]>();
    const perRecipient = Math.max(1, Math.floor(senders.length / recipients.length));
    const allSlots: Slot[] = recipients.flatMap((to, j) =>
      Array.from({ length: perRecipient }, (_, k) => {
        const user = senders[(j + k * recipients.length) % senders.length]!;
        conversations.set(`s${j}k${k}`, [user, to]);
        return { user, tag: `s${j}k${k}`, to };
      }),
    );
    const recipientChunks = split(recipients, pool.size);
    const senderChunks = split(senders, pool.size);
    const workerOfSender = new Map<string, number>();
    senderChunks.forEach((chunk, i) => chunk.forEach((u) => workerOfSender.set(u, i)));
    const connect = (users: string[][], expect?: number) =>
      pool!.all<ConnectResult>((i) => ({
        cmd: "connect",
        users: users[i]!,
        first: i,
        concurrency: Math.ceil(options.concurrency / pool!.size),
        expect,
      }));

    // Every recipient's device is linked and has a cursor, then goes away.
    for (const chunks of [senderChunks, recipientChunks]) {
      const failed = (await connect(chunks)).find((c) => c.failed > 0);
      if (failed) throw new Error(`connect failed: ${failed.firstError}`);
    }
    await pool.all((i) => ({ cmd: "disconnect", users: recipientChunks[i]! }));

    const queueStarted = performance.now();
    const perSlot = Math.ceil(options.backlog / perRecipient);
    const bursts = await pool.all<{ refused: Record<string, number> }>((i) => ({
      cmd: "burst",
      slots: allSlots.filter((s) => workerOfSender.get(s.user) === i),
      perSlot,
      window: options.window,
      bodyBytes: options.bodyBytes,
    }));
    const refused: Record<string, number> = {};
    for (const b of bursts) {
      for (const [code, n] of Object.entries(b.refused)) refused[code] = (refused[code] ?? 0) + n;
    }
    const queueSeconds = (performance.now() - queueStarted) / 1000;
    const expected = perSlot * perRecipient;
    console.log(
      `  queued ${expected * recipients.length} messages in ${queueSeconds.toFixed(1)} s; reconnecting`,
    );

    const meter = new CpuMeter([
      { name: "clients", pids: () => pool!.pids() },
      ...target.processes,
      ...SHARED_SERVERS,
    ]);
    meter.start();
    const back = await connect(recipientChunks, expected);
    const cpu = meter.stop();
    const startedAt = Math.min(...back.map((c) => c.startedAt));
    const done = back.flatMap((c) => Object.values(c.completedAt ?? {}));
    const perUser = mergeHistograms([]);
    for (const c of back) {
      for (const at of Object.values(c.completedAt ?? {})) {
        perUser.recordValue(Math.max(1, Math.round((at - c.startedAt) * 1000)));
      }
    }
    const ledgers = await pool.all<LedgerResult>(() => ({ cmd: "ledger" }));
    return {
      recipients: recipients.length,
      backlog_per_recipient: expected,
      queued: expected * recipients.length,
      refused,
      queue_seconds: Number(queueSeconds.toFixed(2)),
      reconnected: back.reduce((sum, c) => sum + c.opened, 0),
      failed: back.reduce((sum, c) => sum + c.failed, 0),
      all_caught_up_ms: round(Math.max(...done) - startedAt),
      per_recipient: percentiles(perUser),
      incomplete: recipients.length - done.length,
      accounting: account(ledgers, conversations),
      cpu,
    };
  } finally {
    await pool?.stop();
    await target.stop();
  }
}
