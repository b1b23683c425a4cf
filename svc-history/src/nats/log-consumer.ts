import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { context } from "@opentelemetry/api";
import { ensureTopology, startMessageSpan, type Logger, type Topology } from "@parley/common";
import pRetry from "p-retry";
import { backoffMs, sleep } from "../backoff.js";
import { decodeLogEntry, type StoredMessage } from "../domain/stored-message.js";
import { UnreadableEntryError } from "../errors.js";
import { batchSize, batchWriteDuration, storedEntries } from "../metrics.js";
import { BatchQueue } from "./batch-queue.js";

/** Where batches go; MessageWriter in production. */
export interface BatchSink {
  /** Stores the batch atomically and idempotently; throws if it could not. */
  write(batch: StoredMessage[]): Promise<number>;
}

export interface LogConsumerOptions {
  nc: NatsConnection;
  topology: Topology;
  sink: BatchSink;
  batchMax: number;
  batchWaitMs: number;
  /** Cap of the growing delay between retries. */
  retryMaxMs: number;
  log: Logger;
}

interface Entry {
  msg: JsMsg;
  message: StoredMessage;
}

/** A consumption that lasted this long resets the recovery backoff. */
const HEALTHY_RUN_MS = 30_000;
const FIRST_RETRY_MS = 50;

/**
 * Reads the conversation log through the durable history consumer and hands
 * it to the sink in batches. An entry is acked only after the batch holding
 * it is committed, so a crash at any point leads to redelivery, never loss;
 * the sink's idempotence turns redelivery into a no-op.
 *
 * Two loops run side by side: `supervise` keeps a subscription alive (and
 * recreates a lost stream or consumer), `processBatches` writes and acks.
 */
export class LogConsumer {
  private readonly queue: BatchQueue<JsMsg>;
  private readonly stopping = new AbortController();
  private readonly log: Logger;
  private messages: ConsumerMessages | undefined;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: LogConsumerOptions) {
    this.queue = new BatchQueue(options.batchMax, options.batchWaitMs);
    this.log = options.log.child({
      component: "log-consumer",
      stream: options.topology.messagesStream,
      consumer: options.topology.historyConsumer,
    });
  }

  start(): void {
    this.loops = [this.supervise(), this.processBatches()];
  }

  /**
   * Stops pulling, lets a batch that is being written commit and ack, and
   * abandons one that is waiting to retry: unacked, it is redelivered later.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.messages?.close();
    this.queue.close();
    await Promise.all(this.loops);
  }

  private get signal(): AbortSignal {
    return this.stopping.signal;
  }

  private async supervise(): Promise<void> {
    let failures = 0;
    for (let run = 0; !this.signal.aborted; run++) {
      const started = Date.now();
      try {
        const err = await this.consumeUntilClosed(run > 0);
        if (this.signal.aborted) return;
        this.log.warn({ err }, "log consumption stopped, resuming");
      } catch (err) {
        if (this.signal.aborted) return;
        this.log.error({ err, attempt: failures }, "cannot consume the conversation log");
      }
      // Reset the backoff only after a healthy run, so a consumer that
      // fails right after each start does not hammer the server.
      if (Date.now() - started > HEALTHY_RUN_MS) failures = 0;
      await sleep(backoffMs(failures++, FIRST_RETRY_MS * 4, this.options.retryMaxMs), this.signal);
    }
  }

  /** Subscribes and resolves when the subscription ends (with its error). */
  private async consumeUntilClosed(recovering: boolean): Promise<void | Error> {
    const { nc, topology, batchMax } = this.options;
    // On recovery the stream or consumer may be gone: recreate them first.
    if (recovering) await ensureTopology(await jetstreamManager(nc), topology);
    const consumer = await jetstream(nc).consumers.get(
      topology.messagesStream,
      topology.historyConsumer,
    );
    const messages = await consumer.consume({
      max_messages: batchMax * 2,
      // End the subscription when the consumer or stream vanishes, so that
      // `supervise` recreates them; otherwise consume() waits forever.
      abort_on_missing_resource: true,
      callback: (msg) => this.queue.push(msg.seq, msg),
    });
    this.messages = messages;
    if (this.signal.aborted) await messages.close();
    else this.log.info({ recovering }, "consuming the conversation log");
    return messages.closed();
  }

  private async processBatches(): Promise<void> {
    for (;;) {
      const batch = await this.queue.next();
      if (batch.length === 0) return;
      const entries = this.readable(batch);
      if (entries.length > 0) await this.store(entries);
    }
  }

  /** Writes a batch and acks it, with a span per traced entry and the batch's metrics. */
  private async store(entries: Entry[]): Promise<void> {
    const traced = entries.flatMap(({ msg }) => {
      const span = startMessageSpan("history store", msg.headers, {
        "parley.batch_size": entries.length,
      });
      return span ? [span] : [];
    });
    const started = performance.now();
    // The batch's queries join the first traced entry's trace.
    const write = () => this.writeWithRetry(entries);
    try {
      const written = traced[0] ? await context.with(traced[0].context, write) : await write();
      if (written) {
        for (const { msg } of entries) msg.ack();
        batchSize.record(entries.length);
        batchWriteDuration.record(performance.now() - started);
      }
    } finally {
      for (const { span } of traced) span.end();
    }
  }

  /**
   * Decodes a batch. An entry that can never be stored is terminated: left
   * unacked it would be redelivered forever and, with interest retention,
   * kept in the log forever. It is logged with its stream seq instead. An
   * entry with nothing to store (a receipt) is acked at once.
   */
  private readable(batch: JsMsg[]): Entry[] {
    const entries: Entry[] = [];
    for (const msg of batch) {
      try {
        const message = decodeLogEntry(msg.data, msg.seq);
        if (message) entries.push({ msg, message });
        else msg.ack();
      } catch (err) {
        if (!(err instanceof UnreadableEntryError)) throw err;
        this.log.error(
          { err, stream_seq: msg.seq, subject: msg.subject },
          "log entry unreadable, terminated",
        );
        msg.term();
      }
    }
    return entries;
  }

  /**
   * Writes until it succeeds, waiting longer after each failure. Returns
   * false only when stopped before success: the batch then stays unacked.
   */
  private async writeWithRetry(entries: Entry[]): Promise<boolean> {
    const batch = entries.map((e) => e.message);
    const range = {
      batch_size: batch.length,
      first_seq: batch[0]?.seq,
      last_seq: batch.at(-1)?.seq,
    };
    try {
      const inserted = await pRetry(() => this.options.sink.write(batch), {
        retries: Infinity,
        minTimeout: FIRST_RETRY_MS,
        maxTimeout: this.options.retryMaxMs,
        randomize: true,
        signal: this.signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.log.error(
            { err: error, ...range, attempt: attemptNumber },
            "batch write failed, retrying",
          );
          // Restart the entries' ack_wait: they stay with this instance while
          // it retries instead of being redelivered to it again.
          for (const { msg } of entries) msg.working();
        },
      });
      storedEntries.add(inserted);
      if (this.log.isLevelEnabled("debug")) this.log.debug({ ...range, inserted }, "batch written");
      return true;
    } catch (err) {
      if (this.signal.aborted) return false;
      throw err;
    }
  }
}
