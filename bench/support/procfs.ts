// What the kernel knows about a process: CPU time and resident memory from
// /proc, so every process of a run (clients, services, nats-server,
// postgres) is measured the same way without its cooperation.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces; fields count from after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes (VmRSS), 0 once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/** Pids of the processes whose command name (comm) is `name`. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) pids.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}

/** A named group of processes whose CPU is summed (e.g. every postgres backend). */
export interface ProcessGroup {
  name: string;
  pids: () => number[];
}

/**
 * CPU use of each group between `start()` and `stop()`, as a share of one
 * core (1.0 = one core busy for the whole interval). Processes that appear
 * in between (postgres backends) count from zero.
 */
export class CpuMeter {
  private startedAt = 0;
  private readonly baseline = new Map<number, number>();

  constructor(private readonly groups: ProcessGroup[]) {}

  start(): void {
    this.baseline.clear();
    for (const group of this.groups) {
      for (const pid of group.pids()) this.baseline.set(pid, cpuSeconds(pid));
    }
    this.startedAt = performance.now();
  }

  stop(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const shares: Record<string, number> = {};
    for (const group of this.groups) {
      let used = 0;
      for (const pid of group.pids()) used += cpuSeconds(pid) - (this.baseline.get(pid) ?? 0);
      shares[group.name] = Number((used / seconds).toFixed(3));
    }
    return shares;
  }
}
