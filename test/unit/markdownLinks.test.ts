import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

interface MarkdownLink {
  line: number;
  target: string;
}

/** The repository's Markdown files: tracked ones and new ones git does not ignore. */
function markdownFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.md'], { cwd: root, encoding: 'utf8' });
  return [...new Set(listed.split('\0').filter(Boolean))].filter((file) => fs.existsSync(path.join(root, file))).sort();
}

/**
 * Lines outside fenced code blocks, with inline code spans blanked, so that `[x](y)` shown as code
 * is not taken for a link. Line numbers are kept (1-based) for the failure message.
 */
function proseLines(markdown: string): { line: number; text: string; raw: string }[] {
  const result: { line: number; text: string; raw: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (fence !== undefined) {
      if (opening && opening[1]![0] === fence[0] && opening[1]!.length >= fence.length && text.trim() === opening[1]) fence = undefined;
      return;
    }
    if (opening) {
      fence = opening[1]!;
      return;
    }
    result.push({ line: index + 1, text: text.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)), raw: text });
  });
  return result;
}

/** Inline links and images `[text](target "title")` and reference definitions `[label]: target`. */
function linksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: match[1]! });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(text);
    if (definition) links.push({ line, target: definition[1]! });
  }
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { raw } of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (!heading) continue;
    const base = heading[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What is wrong with each relative link of one Markdown file (empty when all resolve). */
function deadLinks(file: string, markdown: string, exists: (relativePath: string) => boolean, readFile: (relativePath: string) => string): string[] {
  const problems: string[] = [];
  for (const { line, target } of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: … leave the repository by design
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const pathPart = decodeURI(rawPath);
    const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
    if (resolved.startsWith('..')) {
      problems.push(`${file}:${line}: ${target} leaves the repository`);
      continue;
    }
    if (!exists(resolved)) {
      problems.push(`${file}:${line}: ${target} (no ${resolved})`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFile(resolved)).has(decodeURIComponent(anchor).toLowerCase())) {
      problems.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  return problems;
}

const onDisk = (relativePath: string) => fs.existsSync(path.join(root, relativePath));
const readOnDisk = (relativePath: string) => fs.readFileSync(path.join(root, relativePath), 'utf8');

describe('Markdown links', () => {
  const files = markdownFiles();

  it('finds the repository’s Markdown files and their links', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/architecture.md']));
    const total = files.reduce((sum, file) => sum + linksOf(readOnDisk(file)).length, 0);
    expect(total).toBeGreaterThan(50);
  });

  it('resolves every relative link (file and #heading) of every Markdown file', () => {
    const problems = files.flatMap((file) => deadLinks(file, readOnDisk(file), onDisk, readOnDisk));
    expect(problems).toEqual([]);
  });

  it('reports dead files, dead anchors and links out of the repository, and skips code', () => {
    const pages: Record<string, string> = {
      'docs/a.md': [
        '# Title',
        '## Sync engine: pages',
        '[ok](b.md#the-b-page) [self](#sync-engine-pages) [web](https://example.com) [dir](../test)',
        '[gone](missing.md) [bad anchor](b.md#nowhere) [out](../../shared/DESIGN.md)',
        '`[code](nowhere.md)`',
        '```md',
        '[fenced](nowhere.md)',
        '```',
        '[ref]: ./also-missing.md',
      ].join('\n'),
      'docs/b.md': '# The B page\n',
      test: '',
    };
    const problems = deadLinks(
      'docs/a.md',
      pages['docs/a.md']!,
      (file) => file in pages,
      (file) => pages[file]!,
    );
    expect(problems).toEqual([
      'docs/a.md:4: missing.md (no docs/missing.md)',
      'docs/a.md:4: b.md#nowhere (no heading #nowhere in docs/b.md)',
      'docs/a.md:4: ../../shared/DESIGN.md leaves the repository',
      'docs/a.md:9: ./also-missing.md (no docs/also-missing.md)',
    ]);
  });
});
