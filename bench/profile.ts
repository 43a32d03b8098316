// Reads the V8 CPU profiles that `node --cpu-prof` writes (one per thread) and sums self time by
// function and by area (Temporal SDK, our code, Node internals, GC, idle), for BENCHMARKS.md.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

export interface ThreadProfile {
  file: string;
  sampledMs: number;
  byArea: Record<string, number>;
  topFunctions: { name: string; selfMs: number; percent: number }[];
}

function area(url: string, name: string): string {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program (native, incl. the SDK core)';
  if (url.includes('node_modules/@temporalio/')) return 'temporal sdk (js)';
  if (url.includes('node_modules/')) return 'other dependencies';
  if (/\/(src|workflows|activities)\//.test(url)) return 'payouts code';
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

export function summarizeProfiles(dir: string, top = 12): ThreadProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((file) => {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const totalMs = (profile.endTime - profile.startTime) / 1000;
      const perSampleMs = profile.samples.length ? totalMs / profile.samples.length : 0;
      const byName = new Map<string, number>();
      const byArea: Record<string, number> = {};
      for (const node of profile.nodes) {
        const ms = (node.hitCount ?? 0) * perSampleMs;
        if (!ms) continue;
        const { functionName, url, lineNumber } = node.callFrame;
        const name = `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
        byName.set(name, (byName.get(name) ?? 0) + ms);
        const a = area(url, functionName);
        byArea[a] = Math.round(((byArea[a] ?? 0) + ms) * 10) / 10;
      }
      const topFunctions = [...byName.entries()]
        .filter(([name]) => !name.startsWith('(idle)'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, ms]) => ({ name, selfMs: Math.round(ms), percent: Math.round((ms / totalMs) * 1000) / 10 }));
      return { file, sampledMs: Math.round(totalMs), byArea, topFunctions };
    });
}
