/**
 * The delimiter of a CSV file, from its header line: French exports use « ; » (decimal commas inside the
 * values), others « , » or a tab. csv-parse cannot be given several delimiters safely for that reason.
 */
export function sniffDelimiter(head: string): ';' | ',' | '\t' {
  const line = head.split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string) => line.split(c).length - 1;
  const candidates: Array<';' | ',' | '\t'> = [';', '\t', ','];
  return candidates.reduce((best, c) => (count(c) > count(best) ? c : best), ';' as ';' | ',' | '\t');
}
