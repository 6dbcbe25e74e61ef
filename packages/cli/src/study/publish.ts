import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { LvrError, pathExists, writeFileAtomic, writeJsonAtomic } from '@lvr/core';

/**
 * `--publish DOC`: copies a study's report into the documentation, so the tables in docs/results.md and the JSON in
 * docs/results/ come from the study command itself. The markdown replaces the block between
 * `<!-- study:KEY -->` and `<!-- /study:KEY -->` in DOC (appended at the end when absent); the JSON is written to
 * `results/KEY.json` next to DOC, and also to `results/TASK.json` unless that file already holds the headline
 * pixels view and this one is not it.
 *
 * @example
 * await publishStudy('docs/results.md', { key: 'chase-symbols', task: 'chase', view: 'symbols', markdown, json });
 */
export async function publishStudy(doc: string, o: { key: string; task: string; view: string; markdown: string; json: Record<string, unknown>; assets?: readonly string[] }): Promise<string[]> {
  let text = '';
  try { text = await readFile(doc, 'utf8'); } catch (cause) { throw new LvrError('IO_ERROR', `--publish: cannot read ${doc}`, { cause }); }
  const open = `<!-- study:${o.key} -->`;
  const close = `<!-- /study:${o.key} -->`;
  const dir = join(dirname(doc), 'results');
  // Links to the study's charts are made relative to DOC.
  let md = o.markdown;
  for (const a of o.assets ?? []) md = md.split(`](${a.split('/').pop()})`).join(`](${relative(dirname(doc), a)})`);
  const block = `${open}\n${md.trim()}\n${close}`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  text = a >= 0 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + close.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  await writeFileAtomic(doc, text);
  const files = [doc, join(dir, `${o.key}.json`)];
  await writeJsonAtomic(join(dir, `${o.key}.json`), o.json);
  const main = join(dir, `${o.task}.json`);
  const existing = (await pathExists(main)) ? (JSON.parse(await readFile(main, 'utf8')) as { view?: string }) : undefined;
  if (!existing || existing.view !== 'pixels' || o.view === 'pixels') {
    await writeJsonAtomic(main, o.json);
    files.push(main);
  }
  return files;
}
