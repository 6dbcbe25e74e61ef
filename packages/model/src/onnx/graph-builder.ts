import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType, AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema,
  TensorProto_DataType, TensorProtoSchema, ValueInfoProtoSchema,
  type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from 'onnx-buf';
import { LvrError } from '@lvr/core';

/**
 * A small typed layer over onnx-buf's generated protobuf messages: graph inputs/outputs with symbolic dims,
 * float32/int64/float64 initializers stored as little-endian raw data, and nodes with tagged attributes.
 * `build()` serialises a `ModelProto` (IR 8, default-domain opset 17) with `toBinary(ModelProtoSchema, …)`.
 */

/** Element types the exporter uses. */
export type OnnxDType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** A dimension: a fixed size or a symbolic name (`batch`, `sequence`, `past_sequence`, …). */
export type Dim = number | string;

/** A tagged attribute value (ONNX distinguishes int from float attributes, so plain numbers are ambiguous). */
export type AttrValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

/** Opset of the default domain the exporter targets. */
export const ONNX_OPSET = 17;
/** IR version matching opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

const ELEM: Readonly<Record<OnnxDType, number>> = {
  float32: TensorProto_DataType.FLOAT,
  float64: TensorProto_DataType.DOUBLE,
  int64: TensorProto_DataType.INT64,
  int32: TensorProto_DataType.INT32,
  bool: TensorProto_DataType.BOOL,
};

/** The protobuf element-type code of a dtype (TensorProto.DataType). */
export function elemTypeOf(dtype: OnnxDType): number {
  return ELEM[dtype];
}

/** Little-endian raw bytes of a tensor's values (ONNX `raw_data` is always little-endian). */
function rawBytes(dtype: OnnxDType, data: ArrayLike<number> | BigInt64Array | readonly bigint[]): Uint8Array<ArrayBuffer> {
  const n = data.length;
  if (dtype === 'float32') {
    const view = new DataView(new ArrayBuffer(n * 4));
    for (let i = 0; i < n; i++) view.setFloat32(i * 4, Number(data[i]), true);
    return new Uint8Array(view.buffer);
  }
  if (dtype === 'float64') {
    const view = new DataView(new ArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) view.setFloat64(i * 8, Number(data[i]), true);
    return new Uint8Array(view.buffer);
  }
  if (dtype === 'int64') {
    const view = new DataView(new ArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) view.setBigInt64(i * 8, BigInt(data[i] as number | bigint), true);
    return new Uint8Array(view.buffer);
  }
  if (dtype === 'int32') {
    const view = new DataView(new ArrayBuffer(n * 4));
    for (let i = 0; i < n; i++) view.setInt32(i * 4, Number(data[i]), true);
    return new Uint8Array(view.buffer);
  }
  return Uint8Array.from({ length: n }, (_, i) => (Number(data[i]) ? 1 : 0));
}

function attribute(name: string, v: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if ('int' in v) return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(v.int) });
  if ('float' in v) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: v.float });
  if ('ints' in v) return create(AttributeProtoSchema, { name, type: T.INTS, ints: v.ints.map((x) => BigInt(x)) });
  if ('floats' in v) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: [...v.floats] });
  return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(v.string) });
}

function valueInfo(name: string, dtype: OnnxDType, dims: readonly Dim[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: ELEM[dtype],
          shape: {
            dim: dims.map((d) => (typeof d === 'number'
              ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
              : { value: { case: 'dimParam' as const, value: d } })),
          },
        },
      },
    },
  });
}

/**
 * Builds one ONNX graph. Value names are strings; `op` returns the (unique, generated) name of its output.
 *
 * @example
 * const g = new GraphBuilder('embed_tokens');
 * const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
 * const table = g.initializer('embed_tokens.weight', 'float32', weights, [vocab, hidden]);
 * g.output(g.op('Gather', [table, ids], { axis: { int: 0 } }, 'inputs_embeds'), 'float32', ['batch', 'sequence', hidden]);
 * const bytes = g.build(); // Uint8Array of a ModelProto
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly name: string, readonly docString = '') {}

  /** Declares a graph input. */
  input(name: string, dtype: OnnxDType, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declares an existing value as a graph output with its dtype and dims. */
  output(name: string, dtype: OnnxDType, dims: readonly Dim[]): void {
    if (!this.names.has(name)) throw new LvrError('INVALID_ARGUMENT', `graph ${this.name}: output "${name}" is not a value of the graph`);
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** A named constant tensor (weights) stored as raw little-endian data. */
  initializer(name: string, dtype: OnnxDType, data: ArrayLike<number> | BigInt64Array | readonly bigint[], dims: readonly number[]): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) {
      throw new LvrError('SHAPE_MISMATCH', `graph ${this.name}: initializer "${name}" has ${data.length} values for dims [${dims.join(', ')}]`);
    }
    this.claim(name);
    this.inits.push(create(TensorProtoSchema, { name, dataType: ELEM[dtype], dims: dims.map((d) => BigInt(d)), rawData: rawBytes(dtype, data) }));
    return name;
  }

  /** An auto-named float32 constant (scalars: `dims = []`). */
  f32(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const_f32'), 'float32', values, dims);
  }

  /** An auto-named float64 constant. */
  f64(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const_f64'), 'float64', values, dims);
  }

  /** An auto-named int64 constant (shapes, axes, indices). */
  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const_i64'), 'int64', values, dims);
  }

  /** Adds a node with one output; returns the output name (`out` or a generated one). */
  op(type: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, out?: string): string {
    return this.opN(type, inputs, 1, attrs, out === undefined ? undefined : [out])[0] as string;
  }

  /** Adds a node with `n` outputs; returns their names. */
  opN(type: string, inputs: readonly string[], n: number, attrs: Readonly<Record<string, AttrValue>> = {}, outs?: readonly string[]): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.names.has(i)) throw new LvrError('INVALID_ARGUMENT', `graph ${this.name}: ${type} input "${i}" is not defined yet`);
    }
    const outputs = outs ? [...outs] : Array.from({ length: n }, () => this.fresh(type));
    for (const o of outputs) this.claim(o);
    this.nodes.push(create(NodeProtoSchema, {
      name: this.fresh(`${type}_node`),
      opType: type,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    }));
    return outputs;
  }

  /** Number of nodes so far (tests, logs). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Serialises the model (IR 8, opset 17). */
  build(meta: Readonly<Record<string, string>> = {}): Uint8Array {
    if (this.outputs.length === 0) throw new LvrError('INVALID_ARGUMENT', `graph ${this.name}: no outputs declared`);
    const model = create(ModelProtoSchema, {
      irVersion: BigInt(ONNX_IR_VERSION),
      producerName: '@lvr/model',
      producerVersion: '0.1.0',
      opsetImport: [{ domain: '', version: BigInt(ONNX_OPSET) }],
      metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
      graph: create(GraphProtoSchema, {
        name: this.name,
        docString: this.docString,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return toBinary(ModelProtoSchema, model);
  }

  private claim(name: string): void {
    if (name === '' || this.names.has(name)) throw new LvrError('INVALID_ARGUMENT', `graph ${this.name}: value name "${name}" is empty or already used`);
    this.names.add(name);
  }

  private fresh(prefix: string): string {
    let k = this.counters.get(prefix) ?? 0;
    let name = `${prefix}_${k}`;
    while (this.names.has(name)) name = `${prefix}_${++k}`;
    this.counters.set(prefix, k + 1);
    return name;
  }
}
