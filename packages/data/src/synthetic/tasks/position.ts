import type { Rng } from '@lvr/core';
import { placeObjects, unionBox, type ObjectSpec, type Scene, type SceneObject } from '../scene.js';
import { COLOUR_NAMES, POSITION_WORDS, SHAPES, SIZE_CLASSES, type PositionAxis } from '../vocabulary.js';
import type { TaskFamily, TaskItem } from './task-family.js';
import type { ResolvedTaskOptions } from './task-options.js';

/** A scene built for a relative-position question. */
export interface PositionScene {
  readonly scene: Scene;
  readonly axis: PositionAxis;
  /** Index of the object asked about (named first). */
  readonly a: number;
  /** Index of the reference object (named second). */
  readonly b: number;
}

/** Centre coordinate of an object along an axis. */
export function axisCoord(obj: SceneObject, axis: PositionAxis): number {
  return axis === 'horizontal' ? obj.cx : obj.cy;
}

/** True when the centres of `a` and `b` are at least `minSeparation · size` apart along `axis`. */
export function wellSeparated(a: SceneObject, b: SceneObject, axis: PositionAxis, minSeparation: number, size: number): boolean {
  return Math.abs(axisCoord(a, axis) - axisCoord(b, axis)) >= minSeparation * size;
}

/** The answer word for "is a left or right of b" (or above / below). */
export function positionAnswer(a: SceneObject, b: SceneObject, axis: PositionAxis): string {
  const [first, second] = POSITION_WORDS[axis];
  return axisCoord(a, axis) < axisCoord(b, axis) ? first : second;
}

/** The question text: `"is the red circle left or right of the blue square ?"` or `"… above or below the …"`. */
export function positionQuestion(a: SceneObject, b: SceneObject, axis: PositionAxis): string {
  const [first, second] = POSITION_WORDS[axis];
  const relation = axis === 'horizontal' ? `${first} or ${second} of` : `${first} or ${second}`;
  return `is the ${a.colour} ${a.shape} ${relation} the ${b.colour} ${b.shape} ?`;
}

/**
 * Draws and places two objects whose (colour, shape) is unique in the image, well separated along a
 * random axis, plus `distractors` objects of any other (colour, shape).
 */
export function drawPositionScene(rng: Rng, o: ResolvedTaskOptions, distractors: number): PositionScene {
  const axis = rng.pick(o.positionAxes);
  const kinds = SHAPES.flatMap((shape) => COLOUR_NAMES.map((colour) => ({ shape, colour })));
  const ai = rng.int(kinds.length);
  let bi = rng.int(kinds.length - 1);
  if (bi >= ai) bi++;
  const a: ObjectSpec = { ...kinds[ai]!, size: rng.pick(SIZE_CLASSES) };
  const b: ObjectSpec = { ...kinds[bi]!, size: rng.pick(SIZE_CLASSES) };
  const rest = kinds.filter((_, i) => i !== ai && i !== bi);
  const specs: ObjectSpec[] = [a, b];
  for (let i = 0; i < distractors; i++) specs.push({ ...rng.pick(rest), size: rng.pick(SIZE_CLASSES) });
  const size = o.scene.imageSize;
  const scene = placeObjects(rng, specs, o.scene, (objs) => wellSeparated(objs[0]!, objs[1]!, axis, o.minSeparation, size));
  return { scene, axis, a: 0, b: 1 };
}

/**
 * V* `relative_position`-like: "is the red circle left or right of the blue square ?" (or "above or
 * below"). Answer = `left` / `right` (`above` / `below`); options = both words in the order the question
 * names them; ROI = the union box of the two objects.
 */
export const positionTask: TaskFamily = {
  kind: 'position',
  itemsPerDraw: 1,
  optionCount: () => 2,
  openChance: () => 1 / 2,
  draw(rng: Rng, o: ResolvedTaskOptions): TaskItem[] {
    const { scene, axis, a, b } = drawPositionScene(rng, o, o.distractors.position);
    const oa = scene.objects[a]!;
    const ob = scene.objects[b]!;
    const options: string[] = [...POSITION_WORDS[axis]];
    return [
      {
        scene,
        question: positionQuestion(oa, ob, axis),
        options,
        answerIndex: options.indexOf(positionAnswer(oa, ob, axis)),
        roi: unionBox([oa.box, ob.box]),
        category: 'relative_position',
      },
    ];
  },
};
