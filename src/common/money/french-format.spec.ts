import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  formatBytes,
  formatCount,
  formatEuros,
  formatFrenchAmount,
  formatFrenchDate,
  formatFrenchDecimal,
  parseFrenchAmount,
} from '@/common/money/french-format';

const N = '\u202f';
const B = '\u00a0';

// The pages' formatter (a browser ES module), loaded as the browser loads it, in a child Node process.
const PAGES_FORMAT = pathToFileURL(resolve(__dirname, '..', '..', 'web', 'assets', 'js', 'format.mjs')).href;

function pagesFormatMoney(values: string[]): string[] {
  const script = `
    const m = await import(${JSON.stringify(PAGES_FORMAT)});
    process.stdout.write(JSON.stringify(JSON.parse(process.argv[1]).map((v) => m.formatMoney(v))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(values)], { encoding: 'utf8' })) as string[];
}

/** Deterministic decimal strings around the rounding edges (…5, …49, …995, negatives, 6 decimals). */
function sampleDecimals(count: number): string[] {
  let seed = 20251;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const units = String(next(10) < 3 ? next(10) : next(10) < 5 ? next(100000) : next(2147483647) * 1000 + next(1000));
    const decimals = next(7);
    const tail = decimals === 0 ? '' : '.' + Array.from({ length: decimals }, (_, k) => (k === 2 && next(2) ? '5' : k < 2 && next(4) === 0 ? '9' : String(next(10)))).join('');
    out.push(`${next(5) === 0 ? '-' : ''}${units}${tail}`);
  }
  return out;
}

describe('French amounts and numbers (server messages, CLI output)', () => {
  it('writes amounts half-up to the cent with French separators', () => {
    const cases: Array<[string, string]> = [
      ['900', `900,00${B}€`],
      ['1494.600000', `1${N}494,60${B}€`],
      ['12519.051797', `12${N}519,05${B}€`],
      ['7494.599027', `7${N}494,60${B}€`],
      ['0.005', `0,01${B}€`],
      ['0.004999', `0,00${B}€`],
      ['999999.995', `1${N}000${N}000,00${B}€`],
      ['-146.435', `-146,44${B}€`],
      ['-0.001', `0,00${B}€`],
      ['1234567890123456789.125', `1${N}234${N}567${N}890${N}123${N}456${N}789,13${B}€`],
      ['.5', `0,50${B}€`],
    ];
    expect(cases.map(([v]) => formatEuros(v))).toEqual(cases.map(([, e]) => e));
    expect(formatFrenchAmount('96.355')).toBe('96,36');
    expect(formatEuros('abc')).toBe('abc');
  });

  it('rounds exactly as the pages do (format.mjs), on edge cases and on 400 generated decimals', () => {
    const values = ['0.005', '-0.005', '0.015', '2.675', '1.005', '-2.345', '99.995', '-99.995', '0', '-0', '00012.3', ...sampleDecimals(400)];
    expect(values.map((v) => formatEuros(v))).toEqual(pagesFormatMoney(values));
  });

  it('writes a decimal exactly when it is compared to a tolerance (never rounded)', () => {
    expect(formatFrenchDecimal('96.36')).toBe('96,36');
    expect(formatFrenchDecimal('2.020000')).toBe('2,02');
    expect(formatFrenchDecimal('3245.681450')).toBe(`3${N}245,68145`);
    expect(formatFrenchDecimal('96.3')).toBe('96,30');
    expect(formatFrenchDecimal('-0.015')).toBe('-0,015');
    expect(formatFrenchDecimal('20', 0)).toBe('20');
  });

  it('writes counts and sizes', () => {
    expect(formatCount(12519)).toBe(`12${N}519`);
    expect(formatCount(999)).toBe('999');
    expect(formatCount(-1000000)).toBe(`-1${N}000${N}000`);
    expect(formatBytes(120 * 1024 * 1024)).toBe(`120${B}Mo`);
    expect(formatBytes(1536)).toBe(`1,5${B}Ko`);
    expect(formatBytes(999)).toBe(`999${B}octets`);
    expect(formatFrenchDate('2025-03-10')).toBe('10/03/2025');
  });

  it('reads amounts typed the French way', () => {
    expect(parseFrenchAmount('919,87')).toBe('919.87');
    expect(parseFrenchAmount(`1${N}494,6 €`)).toBe('1494.6');
    expect(parseFrenchAmount('1 494.60')).toBe('1494.60');
    expect(parseFrenchAmount('-12')).toBe('-12');
    expect(parseFrenchAmount('mille')).toBeNull();
    expect(parseFrenchAmount('1,2,3')).toBeNull();
    expect(parseFrenchAmount('')).toBeNull();
  });
});
