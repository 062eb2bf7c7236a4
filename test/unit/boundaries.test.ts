// The architecture as a test: stages talk only through the tables in src/db/, folders import each
// other one way only (the map below), no SQL runs outside src/db/, and no file imports itself round a cycle.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');

/**
 * Which folders of src/ each folder may import (besides itself). Files directly in src/ are two
 * units: the entry points (main.ts, cli.ts), which wire every stage together, and the shared
 * leaves (paths, header bytes, worker start-up, implementation identity), which import nothing.
 */
export const ALLOWED: Record<string, string[]> = {
  // the DICOM building blocks (named UIDs, header scan, Part-10 meta): they import only shared/, and every folder
  // but shared/ may import them, so no list below names dicom
  dicom: ['shared'],
  shared: [],
  log: [],
  // a measure action's feature configuration and an external action's profile are validated with the rule; infer:
  // an external action's qc declares a manifest segment's checks, validated by the manifest's own schema and rules
  route: ['deid', 'features', 'infer'],
  http: [],
  db: ['route'], // rule_versions stores the rule type route/ defines
  assemble: ['db', 'route', 'shared'],
  store: ['assemble', 'db', 'log', 'shared'], // an instance's row and its arrival commit together
  config: ['db', 'log', 'route', 'shared'],
  metrics: ['db'],
  infer: ['features', 'shared'], // a manifest's per-segment feature configuration is validated there
  encode: ['features', 'infer', 'shared'], // the SR codes and units of IBSI features
  synthetic: ['infer', 'shared'],
  features: ['shared'],
  qc: ['infer'], // checks read the manifest's declared limits
  // a result's gate: previews and rejection notes from stored files, the decisions on results and their release
  review: ['db', 'encode', 'export', 'infer', 'log', 'qc', 'shared'],
  export: ['config', 'db', 'log', 'shared'], // shared: the circuit breaker remote inference uses too
  receive: ['config', 'http', 'log', 'store'],
  jobs: ['assemble', 'config', 'db', 'deid', 'encode', 'export', 'features', 'infer',
    'log', 'metrics', 'qc', 'review', 'route', 'shared'],
  api: ['assemble', 'config', 'db', 'deid', 'export', 'http', 'infer', 'log', 'receive', 'review', 'route', 'store', 'shared'],
  cli: ['infer', 'jobs', 'shared'],
  deid: ['shared'], // PS3.15 de-identification of Part-10 bytes: pure, no stage tables
  entry: ['api', 'assemble', 'cli', 'config', 'db', 'export', 'infer', 'jobs', 'log', 'metrics', 'receive', 'store', 'shared'],
};

const ENTRY_FILES = new Set(['main.ts', 'cli.ts']);
const DB_METHODS = new Set(['prepare', 'exec', 'transaction', 'pragma']);
const SQL = /\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s+\w)/;

function unitOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel.length === 1) return ENTRY_FILES.has(rel[0]) ? 'entry' : 'shared';
  return rel[0];
}

const rel = (file: string) => path.relative(root, file);

const program = (() => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  return ts.createProgram(config.fileNames.filter((f) => f.startsWith(src + path.sep)), config.options);
})();
const checker = program.getTypeChecker();
const sources = program.getSourceFiles().filter((f) => f.fileName.startsWith(src + path.sep) && !f.isDeclarationFile);

interface Edge { from: string; to: string; specifier: string }

/** Relative imports, re-exports and dynamic imports of one file, resolved to files in src/. */
function importsOf(sf: ts.SourceFile): Edge[] {
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | undefined) => {
    if (!spec || !ts.isStringLiteralLike(spec) || !spec.text.startsWith('.')) return;
    const to = path.resolve(path.dirname(sf.fileName), spec.text).replace(/\.js$/, '.ts');
    edges.push({ from: sf.fileName, to, specifier: spec.text });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** Database calls and SQL text in one file, as "file:line: what" lines. */
function sqlIn(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${rel(sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && DB_METHODS.has(node.expression.name.text)) {
      const decl = checker.getTypeAtLocation(node.expression.expression).getSymbol()?.declarations?.[0];
      // exec is also RegExp.prototype.exec: only a better-sqlite3 receiver counts for it.
      const fromSqlite = decl?.getSourceFile().fileName.includes('better-sqlite3') ?? false;
      if (fromSqlite || node.expression.name.text !== 'exec')
        at(node, `database call ${node.expression.getText(sf).slice(0, 80)}(…)`);
    }
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (SQL.test(node.text)) at(node, `SQL text "${node.text.trim().slice(0, 80)}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** String literals that spell a DICOM UID (1.2.840.10008.…), as "file:line: 'uid'" lines. */
function uidLiteralsIn(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) && /^1\.2\.840\.10008\.\d/.test(node.text)) {
      found.push(`${rel(sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: '${node.text}'`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every cycle of the file import graph (Tarjan's strongly connected components), as file lists. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.map(rel).sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

describe('architecture boundaries', () => {
  it('parses the sources', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.some((s) => s.fileName.endsWith(path.join('src', 'db', 'jobs.ts')))).toBe(true);
  });

  it('the allowed-imports map is one-way (no folder reaches itself)', () => {
    const loops: string[] = [];
    const reach = (from: string, seen: string[]): void => {
      for (const to of ALLOWED[from] ?? []) {
        if (seen.includes(to)) loops.push([...seen, to].join(' → '));
        else reach(to, [...seen, to]);
      }
    };
    for (const unit of Object.keys(ALLOWED)) reach(unit, [unit]);
    expect(loops).toEqual([]);
  });

  it('each folder imports only the folders the map allows', () => {
    const bad: string[] = [];
    for (const sf of sources) {
      for (const e of importsOf(sf)) {
        const from = unitOf(e.from);
        const to = unitOf(e.to);
        if (from === to || (to === 'dicom' && from !== 'shared')) continue;
        if (!(from in ALLOWED)) bad.push(`${rel(e.from)}: folder "${from}" is not in the allowed-imports map`);
        else if (!ALLOWED[from].includes(to))
          bad.push(`${rel(e.from)} imports '${e.specifier}' (${from} → ${to} is not allowed)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no SQL and no database call outside src/db/', () => {
    const db = path.join(src, 'db') + path.sep;
    expect(sources.filter((sf) => !sf.fileName.startsWith(db)).flatMap(sqlIn)).toEqual([]);
  });

  it('finds SQL where it is (the detector is not blind)', () => {
    const jobs = sources.find((s) => s.fileName.endsWith(path.join('src', 'db', 'jobs.ts')))!;
    expect(sqlIn(jobs).some((l) => l.includes('database call') || l.includes('SQL text'))).toBe(true);
  });

  it('no literal DICOM UID outside src/dicom/ (stages use the named ones)', () => {
    const dicom = path.join(src, 'dicom') + path.sep;
    expect(sources.filter((f) => !f.fileName.startsWith(dicom)).flatMap(uidLiteralsIn)).toEqual([]);
    // the detector is not blind: it finds the named UIDs where they are defined
    expect(uidLiteralsIn(sources.find((f) => f.fileName.endsWith(path.join('dicom', 'uids.ts')))!).length).toBeGreaterThan(20);
  });

  it('no import cycle between files', () => {
    const graph = new Map<string, string[]>();
    for (const sf of sources) graph.set(sf.fileName, importsOf(sf).map((e) => e.to));
    expect(cycles(graph).map((c) => `cycle: ${c.join(' ↔ ')}`)).toEqual([]);
  });
});
