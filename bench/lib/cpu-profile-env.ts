import { join } from 'node:path';

/**
 * The environment that makes a service record a V8 CPU profile of its main thread into `dir`
 * (`<pid>.cpuprofile` on exit, bench/lib/cpu-profile.js); nothing when `dir` is empty.
 */
export function profileEnv(dir: string): Record<string, string> {
  if (!dir) return {};
  return {
    NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile.js')}`,
    LAPSE_CPU_PROFILE_DIR: dir,
  };
}
