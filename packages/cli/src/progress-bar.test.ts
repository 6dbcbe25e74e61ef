import { describe, expect, it } from 'vitest';
import { memoryIo } from './io.js';
import { ProgressBar } from './progress-bar.js';

describe('ProgressBar', () => {
  it('renders a bar with counts and percentage', () => {
    const bar = new ProgressBar(memoryIo('/').stderr, { width: 10 });
    expect(bar.render('synthetic', 3, 10)).toBe('synthetic [###-------] 3/10 30%');
    expect(bar.render('synthetic', 12, 10)).toBe('synthetic [##########] 12/10 100%');
    expect(bar.render('work', 5, undefined)).toBe('work 5');
  });

  it('draws on start, throttles progress, and ends with a summary line', () => {
    const io = memoryIo('/');
    let t = 0;
    const bar = new ProgressBar(io.stderr, { width: 4, minIntervalMs: 100, now: () => t });
    bar.onProgress({ status: 'start', task: 'job', total: 4 });
    t = 10;
    bar.onProgress({ status: 'progress', task: 'job', done: 1, total: 4 }); // throttled
    t = 200;
    bar.onProgress({ status: 'progress', task: 'job', done: 2, total: 4 });
    t = 210;
    bar.onProgress({ status: 'progress', task: 'job', done: 4, total: 4 }); // last one is always drawn
    bar.onProgress({ status: 'done', task: 'job', done: 4, elapsedMs: 1500 });
    const err = io.err();
    expect(err).toContain('\rjob [----] 0/4 0%');
    expect(err).not.toContain('1/4');
    expect(err).toContain('\rjob [##--] 2/4 50%');
    expect(err).toContain('\rjob [####] 4/4 100%');
    expect(err.endsWith('job: 4 done in 1.5 s\n')).toBe(true);
  });

  it('clears the bar before a log line and redraws it after', () => {
    const io = memoryIo('/');
    const bar = new ProgressBar(io.stderr, { width: 2 });
    bar.onProgress({ status: 'start', task: 't', total: 2 });
    bar.log('[warn] x: hello');
    const err = io.err();
    const blank = `\r${' '.repeat('t [--] 0/2 0%'.length)}\r`;
    expect(err).toBe(`\rt [--] 0/2 0%${blank}[warn] x: hello\n\rt [--] 0/2 0%`);
  });
});
