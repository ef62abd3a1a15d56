import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { CpuProfile } from './cpu-profile-summary';

/**
 * Records a V8 CPU profile of this process's main thread from now until `stop`, which writes
 * `<dir>/<name>.cpuprofile` (Chrome DevTools or speedscope open it) and returns its path and the profile. For
 * benches that run the app in their own process and profile one phase of it; services in child
 * processes use `profileEnv` (cpu-profile-env.ts) instead.
 */
export async function startCpuProfile(
  dir: string,
  name: string,
): Promise<{ stop: () => Promise<{ file: string; profile: CpuProfile }> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return { file, profile: profile as CpuProfile };
    },
  };
}
