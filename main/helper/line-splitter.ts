// Splits a byte stream into lines without ever holding more than `max` bytes of one line:
// an over-long line is reported once and skipped up to its newline.

export type Line = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too-large' };

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): Line[] {
    const out: Line[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.discarding) {
        const piece = chunk.subarray(start, end);
        if (this.pendingBytes + piece.length > this.max) {
          out.push({ kind: 'too-large' });
          this.pending = [];
          this.pendingBytes = 0;
          this.discarding = true;
        } else {
          this.pending.push(piece);
          this.pendingBytes += piece.length;
        }
      }
      if (nl < 0) break;
      if (!this.discarding) {
        const text = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
        if (text.trim() !== '') out.push({ kind: 'line', text });
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
    return out;
  }
}
