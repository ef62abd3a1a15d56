import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referencesIn, staleReferences } from './check-docs';

describe('referencesIn', () => {
  it('finds linked and backticked paths and code identifiers, with their lines', () => {
    const md = [
      'See [the grant client](../libs/grant-client/src/index.ts) and `libs/grant-client/`.',
      'Call `grantWorkflowId()` or `GrantClient`; set `LAPSE_REQUEST_TTL`.',
      'Plain words: `ACTIVE`, `grants.state.v1`, `npx jest libs/x`, [web](https://x.io).',
    ].join('\n');
    expect(referencesIn(md)).toEqual([
      { line: 1, kind: 'path', text: '../libs/grant-client/src/index.ts' },
      { line: 1, kind: 'path', text: 'libs/grant-client' },
      { line: 2, kind: 'identifier', text: 'grantWorkflowId' },
      { line: 2, kind: 'identifier', text: 'GrantClient' },
      { line: 2, kind: 'identifier', text: 'LAPSE_REQUEST_TTL' },
    ]);
  });

  it('skips fenced code and names declared external', () => {
    const md = [
      '<!-- docs-check: external objectId -->',
      '```ts',
      'const x = `apps/gone/file.ts`;',
      '```',
      'Map `objectId` to `externalId`.',
    ].join('\n');
    expect(referencesIn(md)).toEqual([{ line: 5, kind: 'identifier', text: 'externalId' }]);
  });
});

describe('staleReferences', () => {
  it('names each path and identifier that no longer exists', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-check-'));
    mkdirSync(join(root, 'docs'));
    mkdirSync(join(root, 'libs', 'x', 'src'), { recursive: true });
    writeFileSync(join(root, 'libs', 'x', 'src', 'index.ts'), 'export function startGrant() {}\n');
    writeFileSync(
      join(root, 'docs', 'a.md'),
      '`libs/x/src/index.ts` has `startGrant`.\n`libs/y/` had `stopGrant`; see [b](b.md).\n',
    );
    expect(staleReferences(root)).toEqual([
      'docs/a.md:2: no such path b.md',
      'docs/a.md:2: no such path libs/y',
      'docs/a.md:2: no identifier stopGrant in the code',
    ]);
  });
});
