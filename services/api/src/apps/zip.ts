import { crc32, inflateRawSync } from 'node:zlib';

/**
 * Just enough of the zip format for the app repository (protocols §8): find one entry in an
 * archive (stored or deflated) and build archives in tests and `galileo app deploy`. Errors are
 * values with the reason, for the 400 of an invalid upload.
 */
export type ZipResult<T> = { ok: true; value: T } | { ok: false; error: string };

interface CentralEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function centralDirectory(zip: Buffer): ZipResult<CentralEntry[]> {
  const min = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= min; i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, error: 'not a zip archive (no end of central directory)' };
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: CentralEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL)
      return { ok: false, error: 'corrupt zip central directory' };
    const nameLength = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30);
    const comment = zip.readUInt16LE(p + 32);
    entries.push({
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + extra + comment;
  }
  return { ok: true, value: entries };
}

export function listZipEntries(zip: Buffer): ZipResult<string[]> {
  const dir = centralDirectory(zip);
  return dir.ok ? { ok: true, value: dir.value.map((e) => e.name) } : dir;
}

/** The content of the entry `name`, or an error (missing, unsupported compression, corrupt). */
export function readZipEntry(zip: Buffer, name: string): ZipResult<Buffer> {
  const dir = centralDirectory(zip);
  if (!dir.ok) return dir;
  const entry = dir.value.find((e) => e.name === name);
  if (!entry) return { ok: false, error: `the archive has no ${name} at its root` };
  const p = entry.localOffset;
  if (p + 30 > zip.length || zip.readUInt32LE(p) !== LOCAL)
    return { ok: false, error: `corrupt zip entry ${name}` };
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  try {
    if (entry.method === 0) return { ok: true, value: Buffer.from(data) };
    if (entry.method === 8) return { ok: true, value: inflateRawSync(data) };
  } catch (e) {
    return { ok: false, error: `cannot inflate ${name}: ${(e as Error).message}` };
  }
  return {
    ok: false,
    error: `${name} uses zip compression method ${entry.method}; only stored and deflate are read`,
  };
}

/** A stored (uncompressed) zip of the given files: small, dependable, readable by every unzip. */
export function createZip(files: Readonly<Record<string, string | Buffer>>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
