export { checkWith, describeIssue, formatFieldPath, issuesError, joinFieldPath, parseWith } from './validate.js';
export type { Checked, FieldIssue, ParseErrorContext } from './validate.js';
export { finiteFrom, flag, intAtLeast, intIn, nonEmptyString, numberIn, oneOf } from './rules.js';
export type { NumberRange } from './rules.js';
