import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isWorksCadre, WORKS_CADRES } from '@/pivot/works-cadres';

describe('works cadres', () => {
  it('are the decomptes and états d’acompte, not A1/A2/A9', () => {
    expect(['A4', 'A5', 'A7', 'A8', 'A25'].every(isWorksCadre)).toBe(true);
    expect(['A1', 'A2', 'A3', 'A9', 'A10', 'A12', 'A21', '', null].some(isWorksCadre)).toBe(false);
  });

  it('are the same list in the pages (works.mjs)', () => {
    const text = readFileSync(resolve(__dirname, '..', 'web', 'assets', 'js', 'works.mjs'), 'utf8');
    const list = /export const WORKS_CADRES = (\[[^\]]*\])/.exec(text)?.[1];
    expect(JSON.parse(String(list).replace(/'/g, '"'))).toEqual([...WORKS_CADRES]);
  });
});
