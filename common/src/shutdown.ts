import type { Logger } from "pino";

/** One step of an orderly stop, e.g. "close websockets" or "drain nats". */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Stops a service in order: each step runs after the previous one finished,
 * so the service stops accepting work before it drains what it holds. A
 * watchdog forces the exit when the whole sequence overruns its deadline.
 */
export class Shutdown {
  private readonly steps: ShutdownStep[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly log: Logger,
    private readonly deadlineMs: number,
  ) {}

  /** Adds a step; steps run in the order they were added. */
  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  /** Runs the steps once; later calls return the same promise. */
  run(reason: string): Promise<void> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  /** Runs the steps on SIGTERM or SIGINT, then exits the process. */
  onSignals(): void {
    process.once("SIGTERM", (signal) => this.runAndExit(signal));
    process.once("SIGINT", (signal) => this.runAndExit(signal));
  }

  /**
   * When a parent process started this one with an IPC channel (a local
   * launcher, a test), runs the steps once that channel closes: the parent
   * died, even by SIGKILL, and nobody else would stop this process.
   */
  onParentGone(): void {
    if (process.connected) process.once("disconnect", () => this.runAndExit("parent gone"));
  }

  private runAndExit(reason: string): void {
    void this.run(reason).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  }

  private async runSteps(reason: string): Promise<void> {
    this.log.info({ reason, deadline_ms: this.deadlineMs }, "shutting down");
    const watchdog = setTimeout(() => {
      this.log.error({ deadline_ms: this.deadlineMs }, "shutdown overran its deadline, exiting");
      process.exit(1);
    }, this.deadlineMs);
    watchdog.unref();
    for (const step of this.steps) {
      try {
        await step.run();
        this.log.debug({ step: step.name }, "shutdown step done");
      } catch (err) {
        this.log.warn({ step: step.name, err }, "shutdown step failed");
      }
    }
    clearTimeout(watchdog);
    this.log.info("stopped");
  }
}
