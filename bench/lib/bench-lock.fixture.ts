/**
 * A process that takes the bench lock as `npm run bench` does, for bench-lock.spec.ts:
 * `node -r @swc-node/register bench-lock.fixture.ts <lock file> <bench> [--child]` prints
 * `held <pid>` once it has the lock (with --child, after starting a long-lived child of its
 * own) and keeps it until stopped.
 */
import { spawn } from 'node:child_process';
import { releaseOnSignals, takeBenchLock } from './bench-lock';

async function main() {
  const [file, bench, child] = process.argv.slice(2);
  const lock = await takeBenchLock(file, bench, {
    pollMs: 100,
    progress: (line) => console.log(line),
  });
  releaseOnSignals(lock, 2000);
  if (child === '--child') {
    const c = spawn('sleep', ['600'], { stdio: 'ignore' });
    console.log(`child ${c.pid}`);
  }
  console.log(`held ${process.pid}`);
  setInterval(() => undefined, 60_000);
}

void main();
