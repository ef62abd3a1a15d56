/**
 * Builds the grant workflow bundle the grant-worker loads in production.
 *
 *   node -r @swc-node/register tools/scripts/build-workflow-bundle.ts [out]
 *
 * `out` defaults to dist/grant-workflow/workflow-bundle.js. Exits non-zero when bundling fails
 * (a webpack error, a workflow importing a disallowed module), so CI and `npm start` stop.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { buildGrantWorkflowBundle, defaultGrantWorkflowBundlePath } from '@lapse/grant-runtime';

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? defaultGrantWorkflowBundlePath());
  const { code } = await buildGrantWorkflowBundle({ logger: new DefaultLogger('WARN') });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`grant workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error('grant workflow bundle failed:', err);
  process.exit(1);
});
