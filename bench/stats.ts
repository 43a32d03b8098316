// Small measuring helpers: percentiles and process memory read from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in the unit given (ms here), rounded to 0.1. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { count: sorted.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1]!) };
}

/** Resident set size of a process in MiB (current and peak), or null where /proc cannot tell. */
export function residentMiB(pid: number | undefined): { rss: number; peak: number } | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(/^(\w+):\s+(\d+) kB$/m.exec(status.split('\n').find((l) => l.startsWith(`${field}:`)) ?? '')?.[2] ?? NaN);
    const mib = (v: number) => Math.round((v / 1024) * 10) / 10;
    return { rss: mib(kib('VmRSS')), peak: mib(kib('VmHWM')) };
  } catch {
    return null;
  }
}

/** Samples the RSS of some processes while `work` runs; returns the highest RSS seen for each. */
export async function whileSamplingRss<T>(pids: Record<string, number | undefined>, work: () => Promise<T>): Promise<{ result: T; peakRssMiB: Record<string, number | null> }> {
  const peaks: Record<string, number | null> = Object.fromEntries(Object.keys(pids).map((k) => [k, null]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const now = residentMiB(pid)?.rss;
      if (now !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, now);
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  try {
    const result = await work();
    sample();
    return { result, peakRssMiB: peaks };
  } finally {
    clearInterval(timer);
  }
}

/** Runs `task` for 0..n-1 with at most `concurrency` at a time. */
export async function inPool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next;
      next += 1;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ (getconf CLK_TCK) on every common platform

/** CPU time (user + system) a process has used so far, in seconds, or null where /proc cannot tell. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU time of a process and everything under it: its own, its reaped children's (cutime, cstime), and
 * each live descendant's. PostgreSQL serves each connection from a process of its own, so its
 * postmaster's figure alone would miss nearly all of its work.
 */
export function treeCpuSeconds(pid: number | undefined): number | null {
  const own = (p: number) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND };
  };
  if (!pid) return null;
  try {
    const children = new Map<number, number[]>();
    const seconds = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const { ppid, seconds: s } = own(Number(entry));
        seconds.set(Number(entry), s);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // The process ended while we looked.
      }
    }
    if (!seconds.has(pid)) return null;
    const sum = (p: number): number => (seconds.get(p) ?? 0) + (children.get(p) ?? []).reduce((total, child) => total + sum(child), 0);
    return sum(pid);
  } catch {
    return null;
  }
}

/** CPU seconds each process used while `work` ran; those named in `trees` with their descendants. */
export async function measuringCpu<T>(pids: Record<string, number | undefined>, work: () => Promise<T>, trees: ReadonlySet<string> = new Set()): Promise<{ result: T; cpuSeconds: Record<string, number | null> }> {
  const read = (name: string, pid: number | undefined) => (trees.has(name) ? treeCpuSeconds(pid) : cpuSeconds(pid));
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, read(name, pid)]));
  const result = await work();
  const cpu = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => {
      const now = read(name, pid);
      const then = before[name];
      return [name, now === null || then === null || then === undefined ? null : Math.round((now - then) * 100) / 100];
    }),
  );
  return { result, cpuSeconds: cpu };
}
