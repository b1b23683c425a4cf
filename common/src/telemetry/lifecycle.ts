/**
 * How a service's shutdown reaches the telemetry SDK without importing it:
 * the SDK (and its instrumentations) load only in the process's main, via
 * @parley/common/telemetry, which registers its stop here.
 */
let stop: (() => Promise<void>) | undefined;

export function onTelemetryStop(run: () => Promise<void>): void {
  stop = run;
}

/** Flushes what telemetry holds; nothing when telemetry never started. */
export async function stopTelemetry(): Promise<void> {
  await stop?.();
  stop = undefined;
}
