import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The formatting module is a browser ES module (src/web/assets/js/format.mjs): it is loaded here as the
// browser loads it, by a real ES module import in a child Node process.
const MODULE = pathToFileURL(resolve(__dirname, 'assets', 'js', 'format.mjs')).href;

function run<T>(calls: Array<[string, unknown[]]>): T[] {
  const script = `
    const m = await import(${JSON.stringify(MODULE)});
    const calls = JSON.parse(process.argv[1]);
    const out = calls.map(([fn, args]) => {
      const v = m[fn](...args.map((a) => (typeof a === 'string' && a.startsWith('bigint:') ? BigInt(a.slice(7)) : a)));
      return typeof v === 'bigint' ? 'bigint:' + v : v;
    });
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(calls)], { encoding: 'utf8' })) as T[];
}

const N = '\u202f';
const B = '\u00a0';

describe('format.mjs (pages)', () => {
  it('formats decimal strings as French amounts, half-up to the cent, without floats', () => {
    const cases: Array<[unknown, string]> = [
      ['1494.600000', `1${N}494,60${B}€`],
      ['3277.42', `3${N}277,42${B}€`],
      ['12519.051797', `12${N}519,05${B}€`],
      ['7494.599027', `7${N}494,60${B}€`],
      ['0.005', `0,01${B}€`],
      ['0.004999', `0,00${B}€`],
      ['999999.995', `1${N}000${N}000,00${B}€`],
      ['-146.435', `-146,44${B}€`],
      ['-0.001', `0,00${B}€`],
      ['23.93', `23,93${B}€`],
      ['100', `100,00${B}€`],
      ['1234567890123456789.125', `1${N}234${N}567${N}890${N}123${N}456${N}789,13${B}€`],
      ['.5', `0,50${B}€`],
      [null, ''],
      ['abc', 'abc'],
    ];
    const out = run<string>(cases.map(([v]) => ['formatMoney', [v]]));
    expect(out).toEqual(cases.map(([, e]) => e));
    expect(run<string>([['formatMoney', ['1494.6', { currency: false }]]])).toEqual([`1${N}494,60`]);
  });

  it('parses typed amounts to cents and back', () => {
    const out = run<string | null>([
      ['parseAmountToCents', ['1 494,6']],
      ['parseAmountToCents', ['1494.60']],
      ['parseAmountToCents', ['-12']],
      ['parseAmountToCents', ['12,345']],
      ['parseAmountToCents', ['']],
      ['centsToDecimal', ['bigint:149460']],
      ['centsToDecimal', ['bigint:-5']],
      ['decimalToCents', ['12519.051797']],
    ]);
    expect(out).toEqual(['bigint:149460', 'bigint:149460', 'bigint:-1200', null, null, '1494.60', '-0.05', 'bigint:1251905']);
  });

  it('formats dates, instants in Paris time, days left and the motif budget', () => {
    const out = run<string | number>([
      ['formatDate', ['2025-03-10']],
      ['formatDateTime', ['2016-11-22T14:38:00Z']],
      ['formatDateTime', ['2025-07-01T22:05:00Z']],
      ['formatDaysLeft', [12, 'A_TRAITER']],
      ['formatDaysLeft', [-3, 'A_TRAITER']],
      ['formatDaysLeft', [0, 'A_TRAITER']],
      ['formatDaysLeft', [null, 'SUSPENDUE']],
      ['formatDaysLeft', [22, 'SUSPENDUE']],
      ['charCount', ['été 😀']],
    ]);
    expect(out).toEqual(['10/03/2025', '22/11/2016 15h38', '02/07/2025 00h05', `12${B}j`, `3${B}j de retard`, "aujourd'hui", 'suspendu', `22${B}j (suspendu)`, 5]);
  });
});
