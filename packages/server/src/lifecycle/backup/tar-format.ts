/**
 * The pieces of a POSIX tar archive (pax interchange format, as `tar --format=pax` writes it) that a
 * backup needs: regular files only, with paths of any length and in any script carried by pax `path`
 * records, and sizes past 8 GiB in the base-256 form GNU tar and bsdtar read. Written here rather than
 * with a package because it is this small; `tar -tf` and `tar -xf` read the result.
 */

export const BLOCK_SIZE = 512;

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK_SIZE);

const NAME_BYTES = 100;
/** The largest size the 11 octal digits of the size field hold. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;
const TYPE_FILE = '0';
const TYPE_PAX = 'x';

/** Zero bytes that bring `size` bytes of data up to a whole block. */
export function paddingAfter(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/**
 * The blocks that come before a file's data: a pax header carrying its path when the path does not fit
 * the 100-byte ASCII name field, then the file's own header. The file header is always the last
 * BLOCK_SIZE bytes, so a writer that learns the size only after the data can rewrite just that block
 * (see `fileHeader`).
 */
export function entryHeaders(path: string, size: number, mtimeMs: number): Buffer {
  const header = fileHeader(path, size, mtimeMs);
  if (fitsNameField(path)) return header;
  const records = paxRecord('path', path);
  return Buffer.concat([
    headerBlock({ name: 'PaxHeader', size: records.length, mtimeMs, type: TYPE_PAX }),
    records,
    Buffer.alloc(paddingAfter(records.length)),
    header,
  ]);
}

/** The file's own header block; its name field is the path, or a stand-in when a pax record carries it. */
export function fileHeader(path: string, size: number, mtimeMs: number): Buffer {
  const name = fitsNameField(path) ? path : standInName(path);
  return headerBlock({ name, size, mtimeMs, type: TYPE_FILE });
}

function fitsNameField(path: string): boolean {
  return /^[\x20-\x7e]*$/.test(path) && path.length <= NAME_BYTES;
}

/** What a reader that ignores pax records would see: the path's ASCII characters, cut to fit. */
function standInName(path: string): string {
  return path.replace(/[^\x20-\x7e]/g, '_').slice(-NAME_BYTES);
}

/** One pax record, `<length> <key>=<value>\n`, where the length counts the whole record with itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let length = body + String(body).length;
  if (String(length).length !== String(body).length) length = body + String(length).length;
  return Buffer.from(`${length} ${key}=${value}\n`);
}

interface HeaderFields {
  name: string;
  size: number;
  mtimeMs: number;
  type: string;
}

function headerBlock({ name, size, mtimeMs, type }: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  block.write(name, 0, NAME_BYTES, 'latin1');
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, size);
  writeOctal(block, 136, 12, Math.floor(mtimeMs / 1000));
  block.write(type, 156, 1, 'latin1');
  block.write('ustar\u000000', 257, 8, 'latin1');
  // The checksum is summed with its own field read as spaces.
  block.fill(' ', 148, 156);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

/** Octal when it fits; otherwise base-256: a leading 0x80, then the size big-endian in the other 11 bytes. */
function writeSize(block: Buffer, size: number): void {
  if (size <= MAX_OCTAL_SIZE) {
    writeOctal(block, 124, 12, size);
    return;
  }
  block[124] = 0x80;
  let rest = BigInt(size);
  for (let index = 135; index > 124; index--) {
    block[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

export interface ParsedHeader {
  /** The name field (a pax record before it may override it). */
  name: string;
  size: number;
  /** '0' (or NUL) a file, 'x' pax records for the next entry, 'g' global pax records, 'L' a GNU long name. */
  type: string;
}

/**
 * Reads a header block; undefined for a zero block (the end of the archive). Throws when the block is not
 * a tar header (its checksum does not match), with `offset` in the message.
 */
export function parseHeader(block: Buffer, offset: number): ParsedHeader | undefined {
  if (block.every((byte) => byte === 0)) return undefined;
  const recorded = parseOctal(block.subarray(148, 156));
  const copy = Buffer.from(block);
  copy.fill(' ', 148, 156);
  const checksum = copy.reduce((sum, byte) => sum + byte, 0);
  if (recorded !== checksum) {
    throw new Error(`the block at byte ${offset} is not a tar header (its checksum does not match)`);
  }
  const prefix = cString(block.subarray(345, 500));
  const name = cString(block.subarray(0, NAME_BYTES));
  const ustar = block.subarray(257, 262).toString('latin1') === 'ustar';
  return {
    name: ustar && prefix !== '' ? `${prefix}/${name}` : name,
    size: parseSize(block.subarray(124, 136)),
    type: String.fromCharCode(block[156] ?? 0),
  };
}

/** The key-value records of a pax header's data. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = Number(data.subarray(offset, space).toString('latin1'));
    if (space === -1 || !Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseOctal(bytes: Buffer): number {
  const text = cString(bytes).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function parseSize(bytes: Buffer): number {
  if (((bytes[0] ?? 0) & 0x80) === 0) return parseOctal(bytes);
  let size = BigInt((bytes[0] ?? 0) & 0x7f);
  for (const byte of bytes.subarray(1)) size = (size << 8n) | BigInt(byte);
  return Number(size);
}
