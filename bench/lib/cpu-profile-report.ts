/**
 * Prints where a profiled thread's time went:
 *
 *   node -r @swc-node/register bench/lib/cpu-profile-report.ts [--top 30] [--inclusive a,b] <file.cpuprofile>...
 *
 * Several files (a worker thread's chunks, `<pid>-thread<id>-<n>.cpuprofile`) are added up.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { summarizeCpuProfiles, type CpuProfile } from './cpu-profile-summary';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, inclusive: { type: 'string', default: '' } },
});
const profiles = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
const inclusive = values.inclusive ? values.inclusive.split(',') : [];
console.log(JSON.stringify(summarizeCpuProfiles(profiles, inclusive, Number(values.top)), null, 2));
