// @ts-check
/**
 * `hub/no-import-cycle`: a file may not reach itself through its imports, counting type-only
 * imports and re-exports too (import-x/no-cycle skips `import type`, and a type cycle still ties
 * two modules together for readers and for the compiler). The graph is read with TypeScript's own
 * pre-processor and module resolution; the file being linted is read from the linter, every other
 * one from disk (cached by modification time).
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const compilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true };
/** @type {Map<string, { mtimeMs: number; imports: string[] }>} */
const cache = new Map();

/** The repository files `file` imports (resolved paths; packages and Node built-ins left out). */
function importsIn(file, text) {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map(({ fileName }) => ts.resolveModuleName(fileName, file, compilerOptions, ts.sys).resolvedModule)
    .filter(
      (resolved) => resolved && !resolved.isExternalLibraryImport && /\.tsx?$/.test(resolved.resolvedFileName) && !resolved.resolvedFileName.endsWith('.d.ts'),
    )
    .map((resolved) => path.resolve(/** @type {ts.ResolvedModuleFull} */ (resolved).resolvedFileName));
}

function importsOnDisk(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return [];
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached.imports;
  const imports = importsIn(file, fs.readFileSync(file, 'utf8'));
  cache.set(file, { mtimeMs: stat.mtimeMs, imports });
  return imports;
}

/** The shortest import path from `start`'s imports back to `start`, or null (breadth first). */
function cycleThrough(start, startImports) {
  /** @type {Map<string, string | null>} */
  const cameFrom = new Map();
  const queue = [];
  for (const next of startImports) {
    if (next === start) return [start, start];
    if (!cameFrom.has(next)) {
      cameFrom.set(next, null);
      queue.push(next);
    }
  }
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.shift());
    for (const next of importsOnDisk(file)) {
      if (next === start) {
        const route = [file];
        for (let back = cameFrom.get(file); back; back = cameFrom.get(back)) route.unshift(back);
        return [start, ...route, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles, type-only imports included' },
    schema: [],
    messages: { cycle: 'Import cycle: {{route}}' },
  },
  create(context) {
    const file = path.resolve(context.filename);
    return {
      'Program:exit'(node) {
        const cycle = cycleThrough(file, importsIn(file, context.sourceCode.text));
        if (!cycle) return;
        const root = context.cwd;
        context.report({ node, messageId: 'cycle', data: { route: cycle.map((step) => path.relative(root, step)).join(' → ') } });
      },
    };
  },
};
