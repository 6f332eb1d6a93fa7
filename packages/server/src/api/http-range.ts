/**
 * HTTP's `Range: bytes=...` for one object (RFC 9110, section 14). One range is served; several
 * (`bytes=0-9,20-29`) get the whole object, as a server may answer, rather than a multipart body that
 * download tools rarely want. A header that is not a byte range, or is malformed, is ignored likewise.
 */
export type ByteRangeRequest =
  /** Send everything: no Range header, or one the server may ignore. */
  | { readonly kind: 'whole' }
  /** Send bytes `start` to `end`, both inclusive, as 206 Partial Content. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** Nothing of the object is in the range: 416 Range Not Satisfiable. */
  | { readonly kind: 'unsatisfiable' };

const SPEC = /^bytes=(\d*)-(\d*)$/i;

/**
 * What a request's Range header asks of an object of `size` bytes.
 *
 * @example
 * parseRange('bytes=0-99', 1000); // { kind: 'partial', start: 0, end: 99 }
 * parseRange('bytes=-100', 1000); // { kind: 'partial', start: 900, end: 999 }
 * parseRange('bytes=1000-', 1000); // { kind: 'unsatisfiable' }
 */
export function parseRange(header: string | undefined, size: number): ByteRangeRequest {
  const match = header === undefined ? null : SPEC.exec(header.trim());
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '') {
    // A suffix: the last N bytes, all of them when the object is shorter.
    if (last === '') return { kind: 'whole' };
    const length = Math.min(Number(last), size);
    return length === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'partial', start: size - length, end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** The `Content-Range` header: of a 206, the range sent; of a 416, only the size (an asterisk for the range). */
export function contentRange(range: ByteRangeRequest, size: number): string {
  return range.kind === 'partial' ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}
