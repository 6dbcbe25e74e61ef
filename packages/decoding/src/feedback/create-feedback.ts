import { LvrError } from '@lvr/core';
import { hiddenFeedback } from './hidden.js';
import { isLatentFeedback, LATENT_FEEDBACK_KINDS, type LatentFeedback, type LatentFeedbackConfig, type LatentFeedbackKind } from './latent-feedback.js';
import { pauseFeedback } from './pause.js';
import { pointerArgmaxFeedback } from './pointer-argmax.js';
import { pointerMixFeedback } from './pointer-mix.js';

/** What `GenerateOptions.feedback` accepts: a kind (not `pause`, which needs its table), a config, or an instance. */
export type LatentFeedbackSpec = Exclude<LatentFeedbackKind, 'pause'> | LatentFeedbackConfig | LatentFeedback;

/**
 * A ready feedback from a kind, a config or an instance (returned as is). Default (undefined): `hidden`.
 *
 * @throws LvrError `CONFIG_INVALID` for an unknown kind or `pause` without its table.
 * @example
 * createLatentFeedback('pointer-argmax');
 * createLatentFeedback({ kind: 'pause', table: new Float32Array(4 * 64) });
 */
export function createLatentFeedback(spec: LatentFeedbackSpec | undefined): LatentFeedback {
  if (spec === undefined) return hiddenFeedback();
  if (isLatentFeedback(spec)) {
    if (typeof spec.kind !== 'string' || typeof spec.needsVisualTokens !== 'boolean') {
      throw new LvrError('CONFIG_INVALID', 'generate: a feedback instance needs a string kind and a boolean needsVisualTokens', { details: { field: 'feedback' } });
    }
    return spec;
  }
  const config = typeof spec === 'string' ? { kind: spec } : spec;
  const kind = (config as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'hidden': return hiddenFeedback();
    case 'pointer-argmax': return pointerArgmaxFeedback();
    case 'pointer-mix': return pointerMixFeedback();
    case 'pause': {
      const table = (config as { table?: unknown }).table;
      if (!(table instanceof Float32Array)) {
        throw new LvrError('CONFIG_INVALID', "generate: feedback 'pause' needs its table: { kind: 'pause', table: Float32Array (P × D) }", { details: { field: 'feedback.table' } });
      }
      return pauseFeedback(table);
    }
    default:
      throw new LvrError('CONFIG_INVALID', `generate: feedback must be one of ${LATENT_FEEDBACK_KINDS.join(', ')} (or a LatentFeedback instance), got ${JSON.stringify(kind ?? spec)}`, { details: { field: 'feedback' } });
  }
}
