// Loaded into a measured process with `node --import`: answers { type: 'memory' } over the IPC
// channel with process.memoryUsage() after a full GC (when --expose-gc is on), so the benchmark can
// read the worker's heap and not only its RSS. The main thread's heap only: workflow threads have
// heaps of their own, which RSS includes. Plain JavaScript: Node also loads it into the worker's
// workflow threads, where the TypeScript loader is not registered.
'use strict';
process.on('message', (message) => {
  if (!message || message.type !== 'memory' || !process.send) return;
  if (typeof globalThis.gc === 'function') globalThis.gc();
  process.send({ type: 'memory', usage: process.memoryUsage() });
});
