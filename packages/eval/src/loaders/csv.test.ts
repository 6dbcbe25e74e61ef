import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, CRLF ends, and keeps start lines', () => {
    const text = 'Index,Question,Options\r\n1,"Open, or ""closed""?",(a) Open (b) Closed\r\n\r\n2,"two\nlines",x\n3,plain,y';
    const t = parseCsv(text, 'q.csv');
    expect(t.header).toEqual(['Index', 'Question', 'Options']);
    expect(t.records).toEqual([
      { line: 2, fields: ['1', 'Open, or "closed"?', '(a) Open (b) Closed'] },
      { line: 4, fields: ['2', 'two\nlines', 'x'] },
      { line: 6, fields: ['3', 'plain', 'y'] },
    ]);
  });

  it('rejects a wrong field count and an unterminated quote, naming file and line', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'q.csv')).toThrow(/q\.csv: line 3: expected 2 fields \(a,b\), got 1/);
    expect(() => parseCsv('a,b\n1,"open\n', 'q.csv')).toThrow(/q\.csv: line 2: unterminated quoted field/);
    expect(() => parseCsv('\n\n', 'q.csv')).toThrow(/empty CSV file/);
  });
});
