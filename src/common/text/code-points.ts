/**
 * Text lengths as PostgreSQL's varchar(n) and Chorus Pro count them: in characters (Unicode code points), never in
 * UTF-16 units — `'😀'.length` is 2, one character for both. Every length check and every cut of user or supplier text
 * goes through these two functions, so a count and a cut always agree.
 */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The first `max` characters (code points): never splits a surrogate pair. */
export function sliceCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n++ >= max) break;
    out += ch;
  }
  return out;
}
