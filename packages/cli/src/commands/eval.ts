import { LvrError } from '@lvr/core';
import { DEFAULT_STOP_STRATEGY_SPEC, parseStrategySpec } from '@lvr/decoding';
import type { BenchmarkName, EvalMethod, ProbeKind, ResultRecord } from '@lvr/eval';
import { UsageError, intOption, pathOption, specOption, type ParsedValues } from '../args.js';
import { openModel } from '../model-backend.js';
import { REQUIRE_OPTION, loadRequiredModules } from '../require-modules.js';
import type { Command, CommandContext } from './command.js';
import { displayPath } from './synth.js';

/** The `--benchmark` names, as help text (the command checks them against `@lvr/eval`'s `BENCHMARKS`; tested equal). */
export const EVAL_BENCHMARKS_HELP = 'mmvp | vstar | blink | cvbench | synthetic';

const PROBES: readonly ProbeKind[] = ['none', 'zeros', 'noise', 'shuffle', 'skip', 'bottleneck'];

/** A results file with one item twice (a bad hand merge) would be scored twice: refuse it before evaluating. */
function checkUniqueResults(records: readonly ResultRecord[], file: string, resultKey: (r: ResultRecord) => string): void {
  const seen = new Set<string>();
  for (const r of records) {
    const key = resultKey(r);
    if (seen.has(key)) {
      throw new LvrError('DATASET_FORMAT', `${file}: ${r.benchmark} item ${r.id} appears twice; remove the duplicate (or merge shards with lvr eval merge)`, {
        details: { file, id: r.id },
      });
    }
    seen.add(key);
  }
}

/**
 * `lvr eval --model DIR --benchmark NAME --data PATH --out results.jsonl`: evaluates a model on a benchmark,
 * appending one JSON line per item (a killed run resumes where it stopped; `--shard i/n` evaluates a slice),
 * then prints the benchmark's official scores with bootstrap CIs. `lvr eval merge OUT SHARD…` merges shards.
 *
 * @example
 * // lvr eval --model runs/demo/lvr --benchmark synthetic --data runs/demo/suite --out runs/eval/lvr.jsonl --strategy fixed:8
 */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model on a benchmark (resumable, shardable) and score it with CIs',
  help: [
    `Usage: lvr eval --model DIR --benchmark ${EVAL_BENCHMARKS_HELP.replaceAll(' ', '')} --data PATH --out FILE.jsonl`,
    '                [--strategy SPEC] [--require FILE…] [--probe zeros|noise|shuffle|skip|bottleneck] [--backend tfjs|onnx]',
    '                [--shard i/n] [--batch N] [--json]',
    '       lvr eval merge OUT.jsonl SHARD.jsonl…',
    '',
    'The synthetic suite uses the constrained word protocol (the miniature models answer with the option word);',
    'real benchmarks use the reference prompt and the ordered letter-extraction rules. Results are appended per',
    'item to FILE.jsonl: rerunning skips finished items. Scores: MMVP question + pair accuracy, V* per category,',
    'BLINK per subtask + macro (official) + micro, CV-Bench official formula; 95 % bootstrap CIs.',
    `The stop strategy defaults to ${DEFAULT_STOP_STRATEGY_SPEC} (as in lvr infer); --require FILE loads a module that`,
    'registers custom strategies first (see --strategy in lvr infer --help).',
  ].join('\n'),
  positionals: true,
  options: {
    model: { type: 'string', valueName: 'DIR', description: 'model folder (tfjs) or exported ONNX folder (--backend onnx)' },
    benchmark: { type: 'string', valueName: 'NAME', description: EVAL_BENCHMARKS_HELP },
    data: { type: 'string', valueName: 'PATH', description: 'benchmark folder / file (local only)' },
    out: { type: 'string', short: 'o', valueName: 'FILE', description: 'results JSONL (appended; resumable)' },
    strategy: { type: 'string', valueName: 'SPEC', description: `LVR stop strategy (default ${DEFAULT_STOP_STRATEGY_SPEC})` },
    require: REQUIRE_OPTION,
    probe: { type: 'string', valueName: 'KIND', description: `latent probe: ${PROBES.join(' | ')}` },
    backend: { type: 'string', valueName: 'NAME', description: 'tfjs (default) or onnx' },
    shard: { type: 'string', valueName: 'i/n', description: 'evaluate the i-th of n contiguous slices' },
    batch: { type: 'string', valueName: 'N', description: 'rows per generation batch (default 32)' },
  },
  async run(values: ParsedValues, ctx: CommandContext): Promise<number> {
    const pos = (values._ as string[] | undefined) ?? [];
    const {
      BENCHMARKS, evaluateItems, formatScoreTable, loadBenchmark, makeResult, mergeResultFiles, openResults, appendResult, parseShard,
      pendingItems, resultKey, scoreResults, shardItems,
    } = await import('@lvr/eval');
    if (pos[0] === 'merge') {
      const [, out, ...shards] = pos;
      if (!out || shards.length === 0) throw new UsageError('lvr eval merge OUT.jsonl SHARD.jsonl…');
      const merged = await mergeResultFiles(shards.map((s) => pathOption({ p: s }, 'p', ctx.io.cwd)!), pathOption({ p: out }, 'p', ctx.io.cwd)!);
      ctx.io.stdout.write(ctx.json ? `${JSON.stringify({ merged: merged.length, out })}\n` : `merged ${merged.length} results into ${out}\n`);
      return 0;
    }
    if (pos.length > 0) throw new UsageError(`unexpected argument ${pos[0]}`);
    const model = pathOption(values, 'model', ctx.io.cwd);
    const data = pathOption(values, 'data', ctx.io.cwd);
    const out = pathOption(values, 'out', ctx.io.cwd);
    const bench = values.benchmark as BenchmarkName | undefined;
    if (!model || !data || !out) throw new UsageError('--model, --data and --out are required');
    if (!bench || !(BENCHMARKS as readonly string[]).includes(bench)) throw new UsageError(`--benchmark must be one of ${BENCHMARKS.join(' | ')}`);
    const probe = (values.probe ?? 'none') as ProbeKind;
    if (!PROBES.includes(probe)) throw new UsageError(`--probe must be one of ${PROBES.join(' | ')}`);
    await loadRequiredModules(values, ctx.io.cwd);
    const strategy = specOption(values, 'strategy', DEFAULT_STOP_STRATEGY_SPEC, parseStrategySpec);
    const shard = values.shard === undefined ? undefined : specOption(values, 'shard', '', parseShard);
    const batch = intOption(values, 'batch', 1, 4096) ?? 32;
    const all = await loadBenchmark(bench, data);
    const items = shard ? shardItems(all, shard) : all;
    const done = await openResults(out);
    checkUniqueResults(done, out, resultKey);
    const pending = pendingItems(items, done);
    const opened = await openModel(model, typeof values.backend === 'string' ? values.backend : 'tfjs');
    try {
      const method = (opened.training?.mode === 'rl' ? 'lvr' : opened.training?.mode ?? 'lvr') as EvalMethod;
      const evalModel = { stepModel: opened.stepModel, tokenizer: opened.tokenizer, preprocess: opened.preprocess, method, numLatents: opened.training?.numLatents, feedback: opened.feedback };
      const reference = probe === 'shuffle' ? (await evaluateItems(evalModel, items, { strategy, batchSize: batch })).latents : undefined;
      for (let i = 0; i < pending.length; i += batch) {
        const chunk = pending.slice(i, i + batch);
        const res = await evaluateItems(evalModel, chunk, { strategy, probe, reference, batchSize: batch, onProgress: ctx.onProgress });
        for (const [k, rec] of res.records.entries()) {
          const item = chunk[k]!;
          await appendResult(out, makeResult(item, rec.text, {
            extracted: { letter: rec.prediction, rule: rec.rule } as never,
            extra: { method, strategy: rec.strategy, probe, backend: opened.backend, latentSteps: rec.latentSteps, stopReasons: rec.stopReasons },
          }));
        }
      }
    } finally {
      await opened.dispose();
    }
    const results: ResultRecord[] = (await openResults(out)).filter((r) => items.some((it) => it.id === r.id));
    const report = scoreResults(bench, results);
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ benchmark: bench, evaluated: pending.length, reused: items.length - pending.length, out, report }, null, 2)}\n`);
    else {
      ctx.io.stdout.write(`${bench}: ${pending.length} evaluated, ${items.length - pending.length} reused from ${displayPath(ctx.io, out)}\n`);
      ctx.io.stdout.write(`${formatScoreTable([report])}\n`);
    }
    return 0;
  },
};
