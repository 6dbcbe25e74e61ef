/**
 * The backend-neutral tensor packages exchange (`@lvr/decoding`, `@lvr/rl`, `@lvr/eval` never import tfjs
 * or ONNX Runtime). Row-major, like ORT's `Tensor` and tfjs' `dataSync()`.
 */
export type DType = 'float32' | 'int32' | 'int64' | 'bool';

export type DataFor<T extends DType> = T extends 'float32'
  ? Float32Array
  : T extends 'int32'
    ? Int32Array
    : T extends 'int64'
      ? BigInt64Array
      : Uint8Array;

export interface TensorLike<T extends DType = DType> {
  readonly dims: readonly number[];
  readonly type: T;
  readonly data: DataFor<T>;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function float32Tensor(data: Float32Array | number[], dims: readonly number[]): TensorLike<'float32'> {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  if (arr.length !== numel(dims)) {
    throw new RangeError(`float32Tensor: ${arr.length} values do not fill dims [${dims.join(', ')}]`);
  }
  return { dims: [...dims], type: 'float32', data: arr };
}

export function int32Tensor(data: Int32Array | number[], dims: readonly number[]): TensorLike<'int32'> {
  const arr = data instanceof Int32Array ? data : Int32Array.from(data);
  if (arr.length !== numel(dims)) {
    throw new RangeError(`int32Tensor: ${arr.length} values do not fill dims [${dims.join(', ')}]`);
  }
  return { dims: [...dims], type: 'int32', data: arr };
}
