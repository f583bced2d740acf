import { codePointLength, sliceCodePoints } from '@/common/text/code-points';

describe('code points', () => {
  it('counts an emoji as one character and cuts between characters, never inside one', () => {
    const text = '😀'.repeat(300);
    expect(text.length).toBe(600);
    expect(codePointLength(text)).toBe(300);
    const cut = sliceCodePoints(text, 255);
    expect(codePointLength(cut)).toBe(255);
    expect(cut).toBe('😀'.repeat(255));
    expect(sliceCodePoints('abc', 255)).toBe('abc');
  });
});
