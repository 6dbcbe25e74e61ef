/**
 * @lvr/cli — the `lvr` command line, also usable programmatically (run a command in-process with
 * `runCli(argv, memoryIo(cwd))`, or reuse the demo pipeline and its stages).
 */
export { runCli, mainUsage, commandUsage, COMMANDS, EXIT } from './cli.js';
export { processIo, memoryIo } from './io.js';
export type { CliIo, CliStream } from './io.js';
export { ProgressBar } from './progress-bar.js';
export type { ProgressBarOptions } from './progress-bar.js';
export { UsageError, GLOBAL_OPTIONS, intOption, numberOption, listOption, pathOption, formatOptions } from './args.js';
export type { OptionSpec, ParsedValues } from './args.js';
export type { Command, CommandContext } from './commands/command.js';
export { synthCommand, synthOptionsFromArgs, suiteSummary, suiteReport, displayPath } from './commands/synth.js';
export { demoCommand, demoReport, DEFAULT_DEMO_OUT } from './commands/demo.js';
export { runPipeline } from './demo/pipeline.js';
export type { DemoContext, DemoStage, StageOutput, StageResult, PipelineResult, PipelineOptions } from './demo/pipeline.js';
export { DEMO_STAGES, demoStages, type DemoStageOptions } from './demo/stages.js';
export { synthStage } from './demo/stages/synth.js';
export { DEMO_CONFIGS, demoConfig, type DemoConfig, type DemoChaseConfig } from './demo/config.js';
export { previewStage, pickPreviewItems, previewLabel, PREVIEW_ITEMS_PER_TASK } from './demo/stages/preview.js';
