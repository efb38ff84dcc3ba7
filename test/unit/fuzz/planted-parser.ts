// A deliberately buggy parser for the fuzzing loop's own test: a TypeError hides behind the prefix "FUZ!".
export function parsePlanted(b: Uint8Array): number {
  if (b.length < 4) throw new RangeError('planted format error');
  if (b[0] === 0x46) {
    if (b[1] === 0x55) {
      if (b[2] === 0x5a) {
        if (b[3] === 0x21) return (null as unknown as { x: number }).x;
        return 3;
      }
      return 2;
    }
    return 1;
  }
  throw new RangeError('planted format error');
}
