/**
 * The docs check (`npm test`): every repository path and every code identifier that docs/ names
 * in backticks or links to must still exist, so the docs cannot silently point at moved folders
 * or renamed functions. Exits 1 listing each stale reference as `docs/x.md:line: what`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface DocReference {
  line: number;
  kind: 'path' | 'identifier';
  text: string;
}

/** Top-level folders a repository path in the docs starts with. */
const ROOTS = ['apps/', 'libs/', 'tools/', 'bench/', 'deploy/', 'docs/', '.ci/'];

/** A code identifier: camelCase or PascalCase with an inner capital, or an env name (LAPSE_*). */
const IDENTIFIER =
  /^(?:[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|LAPSE_[A-Z0-9_]+)$/;

/**
 * The paths and identifiers one Markdown file names (fenced code blocks are skipped). Names of
 * other systems are declared once with `<!-- docs-check: external name… -->` and not checked.
 */
export function referencesIn(markdown: string): DocReference[] {
  const out: DocReference[] = [];
  const external = new Set(
    [...markdown.matchAll(/<!-- docs-check: external ([^>]*?) -->/g)].flatMap((m) =>
      m[1].split(/\s+/),
    ),
  );
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      if (!/^[a-z]+:/.test(m[1])) out.push({ line, kind: 'path', text: m[1] });
    }
    for (const m of text.matchAll(/`([^`]+)`/g)) {
      const code = m[1].trim().replace(/\(\)$/, '');
      if (ROOTS.some((r) => code.startsWith(r)) && !/[\s<>*{}:]/.test(code)) {
        out.push({ line, kind: 'path', text: code.replace(/\/$/, '') });
      } else if (IDENTIFIER.test(code) && !external.has(code)) {
        out.push({ line, kind: 'identifier', text: code });
      }
    }
  });
  return out;
}

const SOURCE = /\.(ts|mjs|js|sh|json|ya?ml|hbs|conf|caddyfile)$|Caddyfile$|Dockerfile$/;
const SKIP = new Set(['node_modules', '.git', '.nx', 'dist', 'tmp', 'test-output', 'results']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (SOURCE.test(name) && !name.endsWith('package-lock.json')) out.push(path);
  }
  return out;
}

/** Stale references of every docs/*.md under `root`, as `docs/x.md:line: what`. */
export function staleReferences(root: string): string[] {
  const docsDir = join(root, 'docs');
  const docs = readdirSync(docsDir).filter((f) => f.endsWith('.md'));
  const code = sourceFiles(root)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const known = new Map<string, boolean>();
  const stale: string[] = [];
  for (const doc of docs) {
    const file = join(docsDir, doc);
    for (const ref of referencesIn(readFileSync(file, 'utf8'))) {
      const where = `${relative(root, file)}:${ref.line}`;
      if (ref.kind === 'path') {
        // Links are relative to the doc; backticked paths to the repository root.
        const linked = resolve(dirname(file), ref.text);
        if (!existsSync(linked) && !existsSync(join(root, ref.text)))
          stale.push(`${where}: no such path ${ref.text}`);
      } else {
        if (!known.has(ref.text)) known.set(ref.text, new RegExp(`\\b${ref.text}\\b`).test(code));
        if (!known.get(ref.text)) stale.push(`${where}: no identifier ${ref.text} in the code`);
      }
    }
  }
  return stale;
}

if (require.main === module) {
  const stale = staleReferences(join(__dirname, '..', '..'));
  if (stale.length > 0) {
    console.error(`docs name what no longer exists:\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  console.log('docs: every path and identifier they name exists');
}
