import { LvrError } from '@lvr/core';
import { attributeTask } from './attribute.js';
import { chaseTask } from './chase.js';
import { countTask } from './count.js';
import { majorityTask } from './majority.js';
import { pairTask } from './pair.js';
import { positionTask } from './position.js';
import { ALL_TASK_KINDS, type TaskFamily, type TaskKind } from './task-family.js';

/** The built-in task families by kind. */
export const TASK_FAMILIES: Readonly<Record<TaskKind, TaskFamily>> = Object.freeze({
  attribute: attributeTask,
  position: positionTask,
  count: countTask,
  pair: pairTask,
  chase: chaseTask,
  majority: majorityTask,
});

/**
 * The task family of a kind; throws `CONFIG_INVALID` listing the known kinds for anything else.
 *
 * @example
 * getTaskFamily('count').optionCount(resolveTaskOptions()); // 4
 */
export function getTaskFamily(kind: string): TaskFamily {
  if (!(ALL_TASK_KINDS as readonly string[]).includes(kind)) {
    throw new LvrError('CONFIG_INVALID', `synthetic: unknown task "${kind}" (known: ${ALL_TASK_KINDS.join(', ')})`, {
      details: { field: 'tasks', value: kind },
    });
  }
  return TASK_FAMILIES[kind as TaskKind];
}
