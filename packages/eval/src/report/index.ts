export type { MetricCi, ReportRow, ProbeRow, CurveSeries, ReportData } from './types.js';
export { renderMarkdown } from './markdown.js';
export { accuracyChartSvg, probeChartSvg, curvesChartSvg } from './charts.js';
export { lineChartSvg, barChartSvg, niceTicks, type LineSeries, type LineChartOptions, type BarSeries, type BarChartOptions } from './svg-chart.js';
export { svgToPng } from './svg-png.js';
export { latentHeatmapPng, cosineToRows } from './heatmap.js';
