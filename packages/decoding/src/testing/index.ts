/**
 * Test helpers of `@lvr/decoding` (subpath `@lvr/decoding/testing`): a scripted step model that other packages'
 * tests and the examples use instead of a real network.
 */
export { ScriptedStepModel, STUB_TOKENS, stubHidden } from './stub-model.js';
export type { ScriptedStepModelOptions, StubInputRecord, StubRowContext } from './stub-model.js';
