/**
 * How the grant workflow code is bundled for the Temporal worker: the workflows path from
 * @lapse/grant-workflow, and a webpack hook that resolves the @lapse/* aliases from
 * tsconfig.base.json `paths` (the bundler knows nothing of tsconfig). Used by
 * createGrantWorker in dev, by tools/scripts/build-workflow-bundle.ts for production, and by
 * the workflow tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { grantWorkflowsPath } from '@lapse/grant-workflow';

type WebpackConfigHook = NonNullable<BundleOptions['webpackConfigHook']>;

/** The nearest directory at or above `from` that holds tsconfig.base.json. */
export function findWorkspaceRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.base.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no tsconfig.base.json at or above ${from}`);
  }
}

/** `{ '@lapse/contracts$': '<root>/libs/contracts/src/index.ts', ... }` from tsconfig.base.json paths. */
export function lapseWebpackAliases(root: string = findWorkspaceRoot()): Record<string, string> {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions?: { paths?: Record<string, string[]> };
  };
  const paths = tsconfig.compilerOptions?.paths ?? {};
  return Object.fromEntries(
    Object.entries(paths)
      .filter(
        ([alias, targets]) =>
          alias.startsWith('@lapse/') && !alias.includes('*') && targets.length > 0,
      )
      .map(([alias, [target]]) => [`${alias}$`, join(root, target)]),
  );
}

/** A webpack hook adding the @lapse/* aliases to the bundler's config. */
export function lapseWebpackConfigHook(root?: string): WebpackConfigHook {
  const aliases = lapseWebpackAliases(root);
  return (config) => {
    const resolveConfig = config.resolve ?? {};
    const existing = resolveConfig.alias;
    if (Array.isArray(existing)) throw new Error('unexpected array-form webpack resolve.alias');
    return { ...config, resolve: { ...resolveConfig, alias: { ...(existing ?? {}), ...aliases } } };
  };
}

/** Where the production bundle script writes the prebuilt bundle by default. */
export function defaultGrantWorkflowBundlePath(root: string = findWorkspaceRoot()): string {
  return join(root, 'dist', 'grant-workflow', 'workflow-bundle.js');
}

/**
 * The prebuilt bundle to run, if there is one: LAPSE_GRANT_WORKFLOW_BUNDLE, else the default
 * path when the bundle script has written it (tests build it once per run). Undefined: bundle
 * from source.
 */
export function prebuiltGrantWorkflowBundle(): string | undefined {
  const path = process.env.LAPSE_GRANT_WORKFLOW_BUNDLE ?? defaultGrantWorkflowBundlePath();
  return existsSync(path) ? path : undefined;
}

/**
 * Bundler options for the grant workflow (dev workers, the bundle script, tests).
 *
 * `preloadModules`: the workflow module and everything it imports (the grant machine, the
 * contracts, the domain rules) are evaluated once, when the worker loads the bundle, and shared
 * by every grant the worker runs. Otherwise the SDK's reused V8 context evaluates them again for
 * each workflow it creates — every new grant, and every grant replayed after leaving the cache.
 * Safe because these modules keep no state: constants, pure functions and message definitions
 * (the SDK freezes what they export; a module that kept per-grant state there would leak it
 * from one grant to the next, so such a module must not be imported by the workflow).
 */
export function grantWorkflowBundleOptions(): Pick<
  BundleOptions,
  'workflowsPath' | 'webpackConfigHook' | 'preloadModules'
> {
  return {
    workflowsPath: grantWorkflowsPath,
    webpackConfigHook: lapseWebpackConfigHook(),
    preloadModules: [grantWorkflowsPath],
  };
}

/** Bundles the grant workflow code (production bundle script, tests that bundle once). */
export async function buildGrantWorkflowBundle(
  options: Partial<BundleOptions> = {},
): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ ...grantWorkflowBundleOptions(), ...options });
  return { code };
}
