import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, ONNX_IR_VERSION, ONNX_OPSET } from './graph-builder.js';
import { loadOrt } from './ort-runtime.js';

describe('GraphBuilder', () => {
  it('builds a model that onnxruntime-node runs (symbolic dims, float32/int64 initializers, tagged attributes)', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['batch', 3]);
    const idx = g.input('idx', 'int64', ['n']);
    const w = g.initializer('w', 'float32', [1, 2, 3, 4, 5, 6], [3, 2]);
    const y = g.op('Add', [g.op('MatMul', [x, w]), g.f32([0.5, -1])]);
    g.op('Gather', [y, idx], { axis: { int: 1 } }, 'picked');
    g.op('Softmax', [y], { axis: { int: -1 } }, 'probs');
    g.output('picked', 'float32', ['batch', 'n']);
    g.output('probs', 'float32', ['batch', 2]);
    const bytes = g.build({ purpose: 'test' });

    const proto = fromBinary(ModelProtoSchema, bytes);
    expect(proto.irVersion).toBe(BigInt(ONNX_IR_VERSION));
    expect(proto.opsetImport[0]?.version).toBe(BigInt(ONNX_OPSET));
    expect(proto.metadataProps).toEqual([expect.objectContaining({ key: 'purpose', value: 'test' })]);

    const ort = await loadOrt();
    const s = await ort.InferenceSession.create(bytes);
    expect(s.inputMetadata[0]).toMatchObject({ name: 'x', type: 'float32', shape: ['batch', 3] });
    const res = await s.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 0, -1, 2, 1, 0]), [2, 3]),
      idx: new ort.Tensor('int64', BigInt64Array.from([1n, 0n, 1n]), [3]),
    });
    // rows: [1,0,-1]·W = [1-5, 2-6] = [-4,-4] + b = [-3.5,-5]; [2,1,0]·W = [5, 8] + b = [5.5, 7]
    expect(Array.from(res.picked?.data as Float32Array)).toEqual([-5, -3.5, -5, 7, 5.5, 7]);
    const p = res.probs?.data as Float32Array;
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
    await s.release();
  });

  it('rejects undefined inputs, duplicate names, wrong initializer sizes and graphs without outputs', () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.op('Relu', ['nope'])).toThrow(/"nope" is not defined/);
    expect(() => g.input('x', 'float32', [2])).toThrow(/already used/);
    expect(() => g.initializer('w', 'float32', [1, 2, 3], [2, 2])).toThrow(/3 values for dims \[2, 2\]/);
    expect(() => g.output('missing', 'float32', [2])).toThrow(/not a value/);
    expect(() => g.build()).toThrow(/no outputs/);
    g.op('Relu', [x], {}, 'y');
    g.output('y', 'float32', [2]);
    expect(g.build().byteLength).toBeGreaterThan(0);
  });
});
