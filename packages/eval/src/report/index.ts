export type { MetricCi, ReportRow, ProbeRow, CurveSeries, ReportData } from './types.js';
export { renderMarkdown } from './markdown.js';
export { accuracyChartSvg, probeChartSvg, curvesChartSvg, svgPng } from './charts.js';
export { latentHeatmapPng, cosineToRows } from './heatmap.js';
