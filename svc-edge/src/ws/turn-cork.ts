import type { Duplex } from "node:stream";

/**
 * Holds back a socket's writes from its first frame in a turn of the event
 * loop to the end of that turn, so that frames for one socket made in one
 * turn leave in one system call. A frame written alone costs a `writev` of
 * its own (the largest cost of the edge under load: a third of its time
 * when group messages fan out); under load one turn handles many inbox
 * entries and answers, several of them often for the same socket.
 *
 * The hold ends in the check phase of the same loop iteration, after every
 * I/O callback of it: a frame waits for the rest of its turn, no longer.
 * A writer releases a socket early once a turn's frames for it grow large,
 * so that only bytes the client has not read count against its limits.
 */
export class TurnCork {
  private held = new Set<Duplex>();
  private scheduled = false;
  private readonly releaseAll = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = new Set();
    for (const socket of held) socket.uncork();
  };

  /** Called before each write to `socket`. */
  hold(socket: Duplex): void {
    if (this.held.has(socket)) return;
    this.held.add(socket);
    socket.cork();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.releaseAll);
    }
  }

  /** Lets the socket's held writes go now, if it is held. */
  release(socket: Duplex): void {
    if (this.held.delete(socket)) socket.uncork();
  }
}
