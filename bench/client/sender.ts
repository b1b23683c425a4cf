// The sending side of a worker: open-loop load at an offered rate spread
// over the worker's conversations (a share of it to groups), and bursts
// of a fixed number of messages per conversation. Sends answered
// `unavailable` or `rate_limited` are retried with the same id, as the
// protocol asks of clients; every send is numbered per (sender,
// conversation) so recipients can account for each one.
import type { Slot } from "./commands.js";
import type { Device } from "./device.js";
import { clientId, timedBody, type Recorder } from "./recorder.js";

// Retries back off exponentially with jitter, as the protocol asks of
// clients: a fixed delay made every refused send come back at once, and past
// saturation the retries alone kept the edge busy refusing them.
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;
const TICK_MS = 5;

interface SlotState {
  slot: Slot;
  next: number;
  acked: number;
  /** Messages still to send in a burst, one as each earlier one is acked. */
  burstLeft: number;
}

interface InFlight {
  state: SlotState;
  startedAt: bigint;
  frame: Record<string, unknown> & { type: string; id: string };
  retries: number;
}

export class Sender {
  private readonly states = new Map<string, SlotState>();
  private readonly inFlight = new Map<string, InFlight>();
  private pairs: SlotState[] = [];
  private groups: SlotState[] = [];
  private turn = { pair: 0, group: 0 };
  private timer: NodeJS.Timeout | undefined;
  private bodyBytes = 100;
  /** Sends refused for good, by error code. */
  readonly refused: Record<string, number> = {};

  constructor(
    private readonly devices: Map<string, Device>,
    private readonly recorder: Recorder,
  ) {}

  /** Sends `rate` messages/s from now on, `groupShare` of them to groups. */
  load(slots: Slot[], groupShare: number, rate: number, bodyBytes: number): void {
    this.bodyBytes = bodyBytes;
    const states = slots.map((slot) => this.stateOf(slot));
    this.pairs = states.filter((s) => s.slot.to !== undefined);
    this.groups = states.filter((s) => s.slot.conversation_id !== undefined);
    clearInterval(this.timer);
    if (rate <= 0 || states.length === 0) return;
    const startedAt = performance.now();
    let issued = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * rate) - issued;
      for (let i = 0; i < due; i++) {
        const toGroup =
          this.groups.length > 0 && (this.pairs.length === 0 || Math.random() < groupShare);
        this.transmitNext(toGroup ? this.nextGroup() : this.nextPair());
      }
      issued += due;
    }, TICK_MS);
  }

  /** Stops the load and resolves once every send in flight is answered. */
  async drain(timeoutMs = 120_000): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (this.inFlight.size > 0) throw new Error(`${this.inFlight.size} sends still unanswered`);
  }

  /** `perSlot` messages into every slot, at most `window` in flight per slot. */
  async burst(slots: Slot[], perSlot: number, window: number, bodyBytes: number): Promise<void> {
    this.bodyBytes = bodyBytes;
    for (const slot of slots) {
      const state = this.stateOf(slot);
      state.burstLeft = perSlot;
      for (let i = 0; i < Math.min(window, perSlot); i++) {
        state.burstLeft--;
        this.transmitNext(state);
      }
    }
    await this.drain();
  }

  /** The server acked send `id` of `device`. */
  onSent(device: Device, id: string): void {
    const flight = this.inFlight.get(`${device.user}|${id}`);
    if (!flight) return;
    this.inFlight.delete(`${device.user}|${id}`);
    this.recorder.acked(Number((process.hrtime.bigint() - flight.startedAt) / 1000n));
    flight.state.acked++;
    if (flight.state.burstLeft > 0) {
      flight.state.burstLeft--;
      this.transmitNext(flight.state);
    }
  }

  /** Send `id` of `device` was refused; retried when the protocol says so. */
  onFailed(device: Device, id: string, code: string): void {
    const flight = this.inFlight.get(`${device.user}|${id}`);
    if (!flight) return this.recorder.failed();
    if (code === "unavailable" || code === "rate_limited") {
      this.recorder.retried();
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** flight.retries++);
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      setTimeout(() => this.devices.get(device.user)?.send(flight.frame), delay);
      return;
    }
    this.inFlight.delete(`${device.user}|${id}`);
    this.refused[code] = (this.refused[code] ?? 0) + 1;
    this.recorder.failed();
  }

  /** Sends the server acked, per "sender|tag". */
  ackedPerSlot(): Record<string, number> {
    const acked: Record<string, number> = {};
    for (const [key, state] of this.states) acked[key] = state.acked;
    return acked;
  }

  private stateOf(slot: Slot): SlotState {
    const key = `${slot.user}|${slot.tag}`;
    let state = this.states.get(key);
    if (!state) this.states.set(key, (state = { slot, next: 0, acked: 0, burstLeft: 0 }));
    state.slot = slot;
    return state;
  }

  private nextPair(): SlotState {
    this.turn.pair = (this.turn.pair + 1) % this.pairs.length;
    return this.pairs[this.turn.pair]!;
  }

  private nextGroup(): SlotState {
    this.turn.group = (this.turn.group + 1) % this.groups.length;
    return this.groups[this.turn.group]!;
  }

  private transmitNext(state: SlotState): void {
    const device = this.devices.get(state.slot.user);
    if (!device) return;
    const id = clientId(state.slot.tag, state.next++);
    const target = state.slot.to
      ? { to: state.slot.to }
      : { conversation_id: state.slot.conversation_id };
    const frame = { type: "send", id, ...target, body: timedBody(this.bodyBytes) };
    this.inFlight.set(`${device.user}|${id}`, {
      state,
      startedAt: process.hrtime.bigint(),
      frame,
      retries: 0,
    });
    this.recorder.sent();
    device.send(frame);
  }
}
