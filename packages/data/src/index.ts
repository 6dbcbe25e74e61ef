/**
 * @lvr/data — images, questions and region-of-interest boxes into the exact tensors and token sequences
 * a Qwen2.5-VL-style LVR / LIVR model is trained on. See docs/architecture.md for what each file owns.
 */
export * from './image/index.js';
export * from './roi/index.js';
export * from './datasets/index.js';
export * from './tokenizer/index.js';
export * from './sequences/index.js';
export * from './synthetic/index.js';
export * from './schema/index.js';
