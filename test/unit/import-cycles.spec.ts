// No module under main/ or common/ reaches itself through relative imports (static, type-only or dynamic): an import
// circle is a layering defect (issue 20), and the ESLint rules only see arrows between folders, not within one.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

type Graph = Map<string, string[]>;

/** The strongly connected components with more than one module (or a module importing itself), Tarjan's algorithm. */
function importCycles(g: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (g.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.ts$/.test(d.name) && !d.parentPath.includes('assembly'))
    .map((d) => resolve(d.parentPath, d.name));
}

function importGraph(roots: string[]): Graph {
  const files = new Set(roots.flatMap(sourceFiles));
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]*)['"]/g;
  const g: Graph = new Map();
  for (const f of files) {
    const targets: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(specifier)) {
      const base = resolve(dirname(f), m[1]);
      const t = [base, `${base}.ts`, join(base, 'index.ts')].find((p) => files.has(p));
      if (t) targets.push(t);
    }
    g.set(f, targets);
  }
  return g;
}

describe('import cycles', () => {
  it('finds a circle in a hand-made graph, and none in a chain', () => {
    const circle: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCycles(circle)).toEqual([['a', 'b', 'c']]);
    expect(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
    expect(importCycles(new Map([['a', ['a']]]))).toEqual([['a']]);
  });

  it('main/ and common/ have none', () => {
    const g = importGraph(['main', 'common']);
    expect(g.size).toBeGreaterThan(200);
    const named = importCycles(g).map((c) => c.map((f) => relative(process.cwd(), f)));
    expect(named).toEqual([]);
  });
});
