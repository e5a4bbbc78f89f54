import { describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatDuration, formatPercent } from '../../../common/format';

// Hand-worked values: 1536 B = 1.5 KiB; 3 GiB + 512 MiB = 3.5 GiB; 3725 s = 1 h 2 min 5 s.
describe('common/format', () => {
  it('bytes in binary units, whole bytes below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3.5 * 2 ** 30)).toBe('3.5 GiB');
    expect(formatBytes(2 ** 50)).toBe('1024.0 TiB');
  });

  it('durations in words, a dash when unknown', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Infinity)).toBe('—');
  });

  it('percent of a fraction, a dash when unknown', () => {
    expect(formatPercent(0.7123)).toBe('71.2 %');
    expect(formatPercent(0.7123, 2)).toBe('71.23 %');
    expect(formatPercent(undefined)).toBe('—');
    expect(formatPercent(NaN)).toBe('—');
  });

  it('a date that does not parse is shown as given', () => {
    expect(formatDate('not a date')).toBe('not a date');
    expect(formatDate('2026-01-02T03:04:05Z')).toMatch(/2026/);
  });
});
