// Regenerates the level-2 table in src/core/pinyin.c (run by hand, not by the
// build): npm install --no-save pinyin-pro && node tools/gen-pinyin-level2.mjs
// Initials of the GB2312 level-2 characters (rows 0xD8-0xF7), in code order.
import { pinyin } from 'pinyin-pro';
const dec = new TextDecoder('gb18030');
let out = '';
for (let hi = 0xD8; hi <= 0xF7; hi++) {
  for (let lo = 0xA1; lo <= 0xFE; lo++) {
    const ch = dec.decode(new Uint8Array([hi, lo]));
    let init = '?';
    if (ch.length === 1 && ch !== '\ufffd') {
      const p = pinyin(ch, { pattern: 'first', toneType: 'none', type: 'array' })[0] || '';
      if (/^[a-z]$/.test(p)) init = p;
    }
    out += init;
  }
}
// Printed as C string literal lines for src/core/pinyin.c.
for (let i = 0; i < out.length; i += 94) console.log(`        "${out.slice(i, i + 94)}"`);
