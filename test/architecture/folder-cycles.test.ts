// The house's floor plan as a test: no two folders of src/ or emulator/ may import each other,
// directly or around a loop, and no two files either. A folder cycle means two concepts that cannot be understood, tested
// or moved apart; the failure names each loop and the file imports that close it. Also holds the
// two walls DESIGN.md draws: src/core imports nothing else of src/, and src/ and emulator/ never
// import each other; what both need of a protocol lives in protocols/, which imports neither.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

interface Edge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Relative imports of every production file under `root` (tests excluded). */
function fileEdges(root: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of globSync(`${root}/**/*.ts`)) {
    if (file.endsWith('.test.ts') || file.includes('node_modules')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      edges.push({ from: file, to: normalize(join(dirname(file), spec)) });
    }
  }
  return edges;
}

/** The folder a file belongs to: its first folder below src/, emulator/ or protocols/ (top files stand alone). */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

/** Strongly connected components of more than one node (Tarjan), each as the edges inside it. */
function cycles(edges: Edge[]): Edge[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of next.keys()) if (!indexOf.has(v)) visit(v);
  return components.map((c) => edges.filter((e) => c.includes(e.from) && c.includes(e.to)));
}

function folderCycles(root: string): string[] {
  const files = fileEdges(root);
  const folderEdges = files
    .map((e) => ({ from: folderOf(e.from), to: folderOf(e.to), via: `${e.from} -> ${e.to}` }))
    .filter((e) => e.from !== e.to);
  return cycles(folderEdges).map((loop) => {
    const folders = [...new Set(loop.map((e) => e.from))].sort().join(' <-> ');
    const via = folderEdges
      .filter((e) => loop.some((l) => l.from === e.from && l.to === e.to))
      .map((e) => `    ${e.via}`);
    return `${folders}\n${[...new Set(via)].join('\n')}`;
  });
}

/** Cycles between single files (type-only imports count: they still tie the two files' meaning). */
function fileCycles(root: string): string[] {
  return cycles(fileEdges(root)).map((loop) => loop.map((e) => `    ${e.from} -> ${e.to}`).join('\n'));
}

describe('the import structure', () => {
  for (const root of ['src', 'emulator', 'protocols']) {
    it(`has no cycle between folders of ${root}/`, () => {
      const found = folderCycles(root);
      assert.deepEqual(found, [], `folder cycles in ${root}/:\n${found.join('\n')}`);
    });

    it(`has no cycle between files of ${root}/`, () => {
      const found = fileCycles(root);
      assert.deepEqual(found, [], `file cycles in ${root}/:\n${found.join('\n')}`);
    });
  }

  it('keeps protocols/ a leaf: it imports neither src/ nor emulator/', () => {
    const leaks = fileEdges('protocols').filter((e) => !e.to.startsWith('protocols/'));
    assert.deepEqual(
      leaks.map((e) => `${e.from} -> ${e.to}`),
      [],
    );
  });

  it('keeps src/core free of imports from the rest of src/', () => {
    const leaks = fileEdges('src/core').filter((e) => !e.to.startsWith('src/core/'));
    assert.deepEqual(
      leaks.map((e) => `${e.from} -> ${e.to}`),
      [],
    );
  });

  it('keeps src/ and emulator/ apart (both may use protocols/)', () => {
    const crossing = [...fileEdges('src'), ...fileEdges('emulator')].filter(
      (e) => relative(folderOf(e.from).split('/')[0]!, e.to).startsWith('..') && !e.to.startsWith('protocols/'),
    );
    assert.deepEqual(
      crossing.map((e) => `${e.from} -> ${e.to}`),
      [],
    );
  });
});
