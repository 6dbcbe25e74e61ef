import { describe, expect, it } from 'vitest';
import { isLvrError } from '@lvr/core';
import { tinyConfig } from '../testing.js';
import { contractFor, validateSessionIo, type SessionIo, type SessionValueMetadata } from './contract.js';

const c = tinyConfig(); // H 16, 2 layers, 2 heads (d 8), V 40

function session(inputs: SessionValueMetadata[], outputs: SessionValueMetadata[]): SessionIo {
  return { inputNames: inputs.map((m) => m.name), outputNames: outputs.map((m) => m.name), inputMetadata: inputs, outputMetadata: outputs };
}
const t = (name: string, type: string, shape: (number | string)[]): SessionValueMetadata => ({ name, isTensor: true, type, shape });

function decoderIo(): { inputs: SessionValueMetadata[]; outputs: SessionValueMetadata[] } {
  const inputs = [t('inputs_embeds', 'float32', ['b', 's', 16]), t('attention_mask', 'int64', ['b', 't']), t('position_ids', 'int64', [3, 'b', 's'])];
  const outputs = [t('logits', 'float32', ['b', 's', 40]), t('last_hidden_state', 'float32', ['b', 's', 16])];
  for (let l = 0; l < 2; l++) {
    for (const k of ['key', 'value']) {
      inputs.push(t(`past_key_values.${l}.${k}`, 'float32', ['b', 2, 'p', 8]));
      outputs.push(t(`present.${l}.${k}`, 'float32', ['b', 2, 't', 8]));
    }
  }
  return { inputs, outputs };
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (isLvrError(e) && e.code === 'CHECKPOINT') return e.details.problems as string[];
    throw e;
  }
  throw new Error('expected a CHECKPOINT error');
}

describe('ONNX folder contract', () => {
  it('accepts a conforming decoder and returns the names it found', () => {
    const { inputs, outputs } = decoderIo();
    const io = validateSessionIo(session(inputs, outputs), contractFor(c).decoder, 'decoder.onnx');
    expect(io.outputs.slice(0, 2)).toEqual(['logits', 'last_hidden_state']);
    expect(io.inputs).toHaveLength(3 + 4);
  });

  it('lists every problem: missing last_hidden_state, wrong dtype, wrong rank, wrong fixed dim, missing layer, extra input', () => {
    const { inputs, outputs } = decoderIo();
    const bad = session(
      [
        ...inputs.filter((m) => m.name !== 'past_key_values.1.value').map((m) => (m.name === 'attention_mask' ? t('attention_mask', 'int32', ['b', 't']) : m)),
        t('use_cache_branch', 'bool', [1]),
      ],
      outputs.filter((m) => m.name !== 'last_hidden_state').map((m) => (m.name === 'logits' ? t('logits', 'float32', ['b', 41]) : m.name === 'present.0.key' ? t('present.0.key', 'float32', ['b', 3, 't', 8]) : m)),
    );
    const p = problems(() => validateSessionIo(bad, contractFor(c).decoder, 'model/onnx/decoder_model_merged.onnx'));
    expect(p).toEqual([
      'input "attention_mask" has dtype int32, expected int64',
      'missing input "past_key_values.1.value" (float32, rank 4)',
      'output "logits" has rank 2 [b, 41], expected rank 3',
      'missing output "last_hidden_state" (float32, rank 3)',
      'output "present.0.key" has dim 1 = 3, expected 2',
      'unsupported extra input(s) "use_cache_branch" (the ORT backend cannot feed them)',
    ]);
    expect(() => validateSessionIo(bad, contractFor(c).decoder, 'model/onnx/decoder_model_merged.onnx')).toThrow(/decoder_model_merged\.onnx: .*missing output "last_hidden_state"/);
  });

  it('accepts the Qwen2.5-VL grid name image_grid_thw, and checks names only when metadata is unavailable', () => {
    const v = contractFor(c).vision;
    const io = validateSessionIo(session([t('pixel_values', 'float32', ['n', 96]), t('image_grid_thw', 'int64', ['k', 3])], [t('image_features', 'float32', ['m', 16])]), v, 'v.onnx');
    expect(io.inputs).toEqual(['pixel_values', 'image_grid_thw']);
    const namesOnly: SessionIo = { inputNames: ['pixel_values', 'grid_thw'], outputNames: ['features'] };
    expect(problems(() => validateSessionIo(namesOnly, v, 'v.onnx'))).toEqual(['missing output "image_features" (float32, rank 2)']);
    expect(() => validateSessionIo(session([t('pixel_values', 'float32', ['n', 95]), t('grid_thw', 'int64', ['k', 3])], [t('image_features', 'float32', ['m', 16])]), v, 'v.onnx'))
      .toThrow(/"pixel_values" has dim 1 = 95, expected 96/);
  });
});
