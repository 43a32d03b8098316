// The bench's CPU figure for an external server's processes (--measure) counts their descendants:
// PostgreSQL does its work in one child process per connection.
import { spawn } from 'node:child_process';
import { cpuSeconds, treeCpuSeconds } from '../../bench/stats';

test('a process tree: the parent idles while its child burns CPU; only the tree figure sees the work', async () => {
  // sh waits on a node child that spins until it has used 400 ms of CPU (not of wall time: on a loaded
  // machine the same wall time buys less CPU), then sleeps long enough to be measured alive.
  const spin = 'const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }; while (used() < 400); setTimeout(() => {}, 10000)';
  const parent = spawn('sh', ['-c', `${process.execPath} -e "${spin}"`], { stdio: 'ignore' });
  try {
    // Wait for the work rather than for a fixed time: a busy machine may take seconds to give it.
    const deadline = Date.now() + 25_000;
    let tree = 0;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      tree = treeCpuSeconds(parent.pid) ?? 0;
      if (tree >= 0.3) break;
    }
    const own = cpuSeconds(parent.pid)!;
    expect(tree).toBeGreaterThanOrEqual(0.3);
    expect(own).toBeLessThan(0.1);
  } finally {
    parent.kill('SIGKILL');
  }
}, 30_000);

test('no such process: null, not a figure', () => {
  expect(treeCpuSeconds(undefined)).toBeNull();
  expect(treeCpuSeconds(2 ** 22 + 12345)).toBeNull();
});
