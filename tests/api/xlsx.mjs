// xlsx.mjs - just enough of a ZIP reader to look inside the Excel exports
// (central directory, stored or deflated entries; no ZIP64). Standard
// library only.

import zlib from 'node:zlib';
import { fail } from './lib.mjs';

/** Map of entry name -> Buffer. */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a ZIP file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`bad ZIP central directory entry ${k}`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const lnl = buf.readUInt16LE(local + 26);
    const lel = buf.readUInt16LE(local + 28);
    const start = local + 30 + lnl + lel;
    const data = buf.subarray(start, start + csize);
    if (method === 0) files.set(name, data);
    else if (method === 8) files.set(name, zlib.inflateRawSync(data));
    else fail(`ZIP entry ${name}: unsupported method ${method}`);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

/** {rows, strings}: row count of the first sheet and the shared strings. */
export function readXlsx(buf) {
  const files = unzip(buf);
  const sheet = files.get('xl/worksheets/sheet1.xml');
  if (!sheet) fail(`no xl/worksheets/sheet1.xml in the export; entries: ${[...files.keys()].join(', ')}`);
  const xml = sheet.toString('utf8');
  const rows = (xml.match(/<row[\s>]/g) || []).length;
  const sst = files.get('xl/sharedStrings.xml');
  const strings = sst ? [...sst.toString('utf8').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]) : [];
  const inline = [...xml.matchAll(/<is><t[^>]*>([^<]*)<\/t><\/is>/g)].map((m) => m[1]);
  return { rows, strings: strings.concat(inline), files };
}
