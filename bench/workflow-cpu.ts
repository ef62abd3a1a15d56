/**
 * The grant worker's CPU per new grant in the Temporal SDK's workflow machinery alone — no
 * server, no Kafka, nothing else on the CPU's share of this process — for comparing ways of
 * running the workflow code back to back in one process (the fan-out measures the whole path,
 * but on a shared machine its CPU figures move with the load):
 *
 *   node -r @swc-node/register bench/workflow-cpu.ts [--grants 2000] [--rounds 3]
 *
 * Replays a new grant's first workflow task (the first 8 events of the committed
 * access-grant-tour-v4 fixture: started, the task, its patch marker, the state's upsert, the
 * auto-lock timer, the local publish's marker) `--grants` times under distinct workflow ids: for
 * each, the SDK creates the workflow in its reused V8 context, runs the activation, checks it
 * against the recorded commands and evicts it. Variants, interleaved over `--rounds`:
 * `production` (grantWorkflowBundleOptions, which preloads the workflow module) and
 * `no-preload` (the same bundle options without preloadModules: each workflow evaluates the
 * modules again). Reports CPU (user + system, every thread of this process) per grant, the median
 * over rounds. Run it with NODE_OPTIONS="--require <file>" to compare a change made in the
 * workflow thread. Prints JSON; writes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { grantWorkflowBundleOptions } from '@lapse/grant-runtime';
import { historyFromFixture } from '@lapse/grant-workflow/testing';
import { parseArgs } from 'node:util';

const FIXTURE = join(
  __dirname,
  '..',
  'libs',
  'grant-workflow',
  'src',
  '__fixtures__',
  'access-grant-tour-v4.history.json',
);
/** Events of the first workflow task of a new grant in that fixture. */
const NEW_GRANT_EVENTS = 8;

async function replayCpuMs(code: string, grants: number): Promise<number> {
  const full = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { events: unknown[] };
  const history = historyFromFixture(
    JSON.stringify({ events: full.events.slice(0, NEW_GRANT_EVENTS) }),
  );
  const histories = Array.from({ length: grants }, (_, i) => ({
    workflowId: `grant:bench-resource:bench-user-${i}`,
    history,
  }));
  const before = process.cpuUsage();
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    if (result.error) throw result.error;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      grants: { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const grants = Number(values.grants);
  const rounds = Number(values.rounds);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const logger = new DefaultLogger('ERROR');
  const production = grantWorkflowBundleOptions();
  const variants: Record<string, string> = {
    production: (await bundleWorkflowCode({ ...production, logger })).code,
    'no-preload': (await bundleWorkflowCode({ ...production, preloadModules: [], logger })).code,
  };
  // Warm up (JIT, the bridge) before measuring.
  for (const code of Object.values(variants)) await replayCpuMs(code, Math.min(200, grants));
  const perGrant: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, code] of Object.entries(variants)) {
      const ms = await replayCpuMs(code, grants);
      (perGrant[name] ??= []).push(Math.round((ms / grants) * 1000) / 1000);
      console.error(`round ${round + 1}: ${name} ${(ms / grants).toFixed(3)} ms CPU per grant`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify(
      {
        what: 'CPU per new grant replaying its first workflow task (all threads of the process)',
        grants,
        rounds,
        nodeOptions: process.env.NODE_OPTIONS ?? '',
        msPerGrant: Object.fromEntries(Object.entries(perGrant).map(([k, v]) => [k, median(v)])),
        rounds_msPerGrant: perGrant,
      },
      null,
      2,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
