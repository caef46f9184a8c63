/** Docker log payloads: the multiplexed stdout/stderr format of non-TTY containers. */

/**
 * Turns a multiplexed log buffer (8-byte frame headers: stream, 0, 0, 0, uint32 BE length) into text; stderr lines
 * are prefixed with "! ". A buffer that is not multiplexed (TTY containers) is returned as text.
 */
export function demuxLogs(buf: Buffer): string {
  const out: string[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const stream = buf[off];
    if ((stream !== 0 && stream !== 1 && stream !== 2) || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) {
      return off === 0 ? buf.toString("utf8") : out.join("") + buf.subarray(off).toString("utf8");
    }
    const len = buf.readUInt32BE(off + 4);
    const text = buf.subarray(off + 8, off + 8 + len).toString("utf8");
    out.push(stream === 2 ? text.replace(/^(?=.)/gm, "! ") : text);
    off += 8 + len;
  }
  if (off < buf.length) out.push(buf.subarray(off).toString("utf8"));
  return out.join("");
}
