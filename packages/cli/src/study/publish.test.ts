import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishStudy } from './publish.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('publishStudy', () => {
  it('replaces its own block in the document, keeps the rest, and prefers the pixels view for TASK.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-publish-'));
    dirs.push(dir);
    const doc = join(dir, 'results.md');
    await writeFile(doc, '# Results\n\nintro\n');
    await publishStudy(doc, { key: 'chase-symbols', task: 'chase', view: 'symbols', markdown: 'table v1 ![c](accuracy-vs-k.png)', json: { view: 'symbols', v: 1 }, assets: [join(dir, 'runs', 'accuracy-vs-k.png')] });
    await publishStudy(doc, { key: 'chase-symbols', task: 'chase', view: 'symbols', markdown: 'table v2', json: { view: 'symbols', v: 2 } });
    await publishStudy(doc, { key: 'chase-pixels', task: 'chase', view: 'pixels', markdown: 'pixels table', json: { view: 'pixels', v: 3 } });
    await publishStudy(doc, { key: 'chase-symbols', task: 'chase', view: 'symbols', markdown: 'table v3', json: { view: 'symbols', v: 4 } });
    const text = await readFile(doc, 'utf8');
    expect(text.startsWith('# Results\n\nintro\n')).toBe(true);
    expect(text).toContain('<!-- study:chase-symbols -->\ntable v3\n<!-- /study:chase-symbols -->');
    expect(text).not.toContain('table v1');
    expect(text).toContain('pixels table');
    expect(JSON.parse(await readFile(join(dir, 'results', 'chase.json'), 'utf8'))).toEqual({ view: 'pixels', v: 3 });
    expect(JSON.parse(await readFile(join(dir, 'results', 'chase-symbols.json'), 'utf8'))).toEqual({ view: 'symbols', v: 4 });
  });

  it('rewrites chart links relative to the document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lvr-publish-'));
    dirs.push(dir);
    const doc = join(dir, 'results.md');
    await writeFile(doc, '# R\n');
    await publishStudy(doc, { key: 'k', task: 'chase', view: 'symbols', markdown: '![c](accuracy-vs-k.png)', json: {}, assets: [join(dir, 'results', 'k', 'accuracy-vs-k.png')] });
    expect(await readFile(doc, 'utf8')).toContain('![c](results/k/accuracy-vs-k.png)');
  });
});
