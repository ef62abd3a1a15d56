import { Worker } from 'node:worker_threads';
import { sampleProcesses } from './proc-usage';

it('reports CPU per thread: a busy worker thread apart from the main thread', async () => {
  const sampler = sampleProcesses({ self: { pid: process.pid, threads: true } }, 50);
  // A worker thread that spins for 400 ms of its own CPU (its /proc/thread-self ticks:
  // process.cpuUsage() counts every thread, so on a busy machine other threads' CPU would
  // end the spin early), then says so.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { readFileSync } = require('node:fs');
     const ticks = () => {
       const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
       return Number(f[11]) + Number(f[12]);
     };
     const until = ticks() + 40;
     while (ticks() < until);
     parentPort.postMessage('done');`,
    { eval: true },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  const usage = sampler.stop().self;
  await worker.terminate();
  const threads = usage.threads ?? [];
  expect(threads.length).toBeGreaterThan(0);
  // The spinning thread is not the main one and shows at least 0.3 s of CPU.
  expect(threads.filter((t) => t.name !== 'main').some((t) => t.cpuSeconds >= 0.3)).toBe(true);
  expect(usage.cpuSeconds).toBeGreaterThanOrEqual(0.3);
});
