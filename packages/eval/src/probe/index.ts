export { fitLinearProbe, probeAccuracy, probeLogits, probePredict, type LinearProbe, type LinearProbeOptions } from './linear-probe.js';
export { probeScenes, type CellLabel, type ProbeLayout, type ProbeSceneSet } from './cell-labels.js';
export {
  runVisualProbe, type VisualTokenEncoder, type VisualProbeOptions, type VisualProbeReport, type LayoutProbeResult,
} from './visual-probe.js';
