import { parseStrategySpec, readSpecArgs, registerStopStrategy, type StopStrategy } from '@lvr/decoding';

/** Config of the `norm-drop` strategy: stop once the fed latent's L2 norm falls below `below`. */
export interface NormDropConfig {
  readonly kind: 'norm-drop';
  /** Norm threshold (default 1). */
  readonly below?: number;
  /** Latent budget per span (default 12). */
  readonly maxSteps?: number;
}

/** Builds the strategy. A strategy is a plain object: `kind`, declared `needs`, an optional budget, `decide`. */
export function normDrop(config: NormDropConfig): StopStrategy {
  const below = config.below ?? 1;
  if (!(below > 0)) throw new RangeError(`norm-drop: below must be > 0, got ${below}`);
  return {
    kind: 'norm-drop',
    needs: {}, // nothing beyond the step contract (no latent-end embedding)
    maxSteps: config.maxSteps ?? 12, // the loop still caps this with maxLatentSteps / maxNewTokens
    decide: (ctx) => {
      const fed = ctx.fedVectors[ctx.steps - 1]; // the vector fed at the newest position (none at the entry decision)
      return fed !== undefined && Math.hypot(...fed) < below ? 'exit' : 'continue';
    },
  };
}

let registered = false;

/** Registers `norm-drop` once (a second registration of a kind would throw), with a command-line spec parser. */
export function registerNormDrop(): void {
  if (registered) return;
  registerStopStrategy<NormDropConfig>('norm-drop', normDrop, {
    description: 'stop when the fed latent norm drops below a threshold',
    usage: 'norm-drop[:BELOW[:MAXSTEPS]]',
    fromSpec: (args, spec) => ({ ...readSpecArgs(spec, args, { positional: ['below', 'maxSteps'] }), kind: 'norm-drop' }),
  });
  registered = true;
}

/** What a CLI does with `--strategy norm-drop:0.5`. */
export function strategyFromCli(spec: string): ReturnType<typeof parseStrategySpec> {
  registerNormDrop();
  return parseStrategySpec(spec);
}
