// The bench's CPU figure for an external server's processes (--measure) counts their descendants:
// PostgreSQL does its work in one child process per connection.
import { spawn } from 'node:child_process';
import { cpuSeconds, treeCpuSeconds } from '../../bench/stats';

test('a process tree: the parent idles while its child burns CPU; only the tree figure sees the work', async () => {
  // sh waits on a node child that spins for 400 ms, then sleeps long enough to be measured alive.
  const parent = spawn('sh', ['-c', `${process.execPath} -e "const end = Date.now() + 400; while (Date.now() < end); setTimeout(() => {}, 3000)"`], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 1_200));
    const tree = treeCpuSeconds(parent.pid)!;
    const own = cpuSeconds(parent.pid)!;
    expect(tree).toBeGreaterThanOrEqual(0.3);
    expect(own).toBeLessThan(0.1);
  } finally {
    parent.kill('SIGKILL');
  }
});

test('no such process: null, not a figure', () => {
  expect(treeCpuSeconds(undefined)).toBeNull();
  expect(treeCpuSeconds(2 ** 22 + 12345)).toBeNull();
});
