import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildSstpHttpRequest,
  sstpHttpFailure,
  SstpHttpResponseReader,
  MAX_RESPONSE_HEAD,
  type SstpHttpProgress,
} from '../../../../main/engine/sstp/http.js';

const OK_HEAD =
  'HTTP/1.1 200\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: Thu, 09 Nov 2023 10:00:00 GMT\r\n\r\n';

describe('SSTP HTTP request', () => {
  it('is exactly the SSTP_DUPLEX_POST of docs/protocol.md §1.3', () => {
    const req = buildSstpHttpRequest({
      host: 'vpn.example.test',
      correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    assert.equal(
      req.toString('latin1'),
      'SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n' +
        'Host: vpn.example.test\r\n' +
        'Content-Length: 18446744073709551615\r\n' +
        'SSTPCORRELATIONID: {0F8FAD5B-D9CB-469F-A165-70867728950E}\r\n' +
        '\r\n',
    );
  });

  it('uses a fresh upper-case GUID by default', () => {
    const a = buildSstpHttpRequest({ host: 'h' }).toString('latin1');
    const b = buildSstpHttpRequest({ host: 'h' }).toString('latin1');
    const re = /SSTPCORRELATIONID: \{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}\r\n/;
    assert.match(a, re);
    assert.notEqual(a, b);
  });

  it('brackets IPv6 literals and refuses hosts that would break the request', () => {
    assert.match(buildSstpHttpRequest({ host: '2001:db8::1' }).toString('latin1'), /\r\nHost: \[2001:db8::1\]\r\n/);
    assert.match(buildSstpHttpRequest({ host: '192.0.2.1' }).toString('latin1'), /\r\nHost: 192\.0\.2\.1\r\n/);
    assert.throws(() => buildSstpHttpRequest({ host: 'evil\r\nX: y' }), RangeError);
    assert.throws(() => buildSstpHttpRequest({ host: '' }), RangeError);
    assert.throws(() => buildSstpHttpRequest({ host: 'h', correlationId: 'nope' }), RangeError);
  });
});

function expectDone(p: SstpHttpProgress) {
  assert.ok(p.done && p.ok, JSON.stringify(p));
  return p;
}

function expectError(p: SstpHttpProgress) {
  assert.ok(p.done && !p.ok, JSON.stringify(p));
  return p.error;
}

describe('SSTP HTTP response reader', () => {
  it('reads a 200 answer and returns the SSTP bytes after it', () => {
    const sstp = Buffer.from([0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00]);
    const r = expectDone(new SstpHttpResponseReader().push(Buffer.concat([Buffer.from(OK_HEAD, 'latin1'), sstp])));
    assert.equal(r.status, 200);
    assert.equal(r.statusLine, 'HTTP/1.1 200');
    assert.equal(r.headers.get('server'), 'Microsoft-HTTPAPI/2.0');
    assert.deepEqual(r.rest, sstp);
  });

  it('is incremental: any split gives the same answer, including a split CRLFCRLF', () => {
    const bytes = Buffer.concat([Buffer.from(OK_HEAD, 'latin1'), Buffer.from('tail')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new SstpHttpResponseReader();
      const first = reader.push(bytes.subarray(0, cut));
      if (cut < OK_HEAD.length) {
        assert.deepEqual(first, { done: false }, `cut ${cut}`);
        const r = expectDone(reader.push(bytes.subarray(cut)));
        assert.equal(r.rest.toString(), 'tail');
      } else {
        assert.equal(expectDone(first).rest.toString(), bytes.subarray(OK_HEAD.length, cut).toString());
      }
    }
  });

  it('accepts a 200 without Content-Length and joins repeated headers', () => {
    const r = expectDone(new SstpHttpResponseReader().push(Buffer.from('HTTP/1.0 200 OK\r\nX-A: 1\r\nx-a: 2\r\n\r\n')));
    assert.equal(r.headers.get('x-a'), '1, 2');
    assert.equal(r.rest.length, 0);
  });

  it('hands later chunks back as SSTP bytes', () => {
    const reader = new SstpHttpResponseReader();
    expectDone(reader.push(Buffer.from(OK_HEAD)));
    assert.equal(expectDone(reader.push(Buffer.from('more'))).rest.toString(), 'more');
  });

  it('non-200 is an error carrying the status line', () => {
    const e = expectError(
      new SstpHttpResponseReader().push(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')),
    );
    assert.deepEqual(e, { kind: 'status', status: 404, statusLine: 'HTTP/1.1 404 Not Found' });
    const f = sstpHttpFailure(e);
    assert.equal(f.phase, 'http');
    assert.equal(f.code, 'http-refused');
    assert.match(f.message, /404/);
    assert.match(f.detail ?? '', /HTTP\/1\.1 404 Not Found/);
  });

  it('a Content-Length other than 2^64-1 is an error', () => {
    const e = expectError(
      new SstpHttpResponseReader().push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n')),
    );
    assert.deepEqual(e, { kind: 'content-length', value: '1234' });
    assert.equal(sstpHttpFailure(e).code, 'protocol-error');
  });

  it('a head over 8 KB is an error, whether or not it ever ends', () => {
    const big = `HTTP/1.1 200\r\nX-Big: ${'a'.repeat(MAX_RESPONSE_HEAD)}\r\n\r\n`;
    assert.equal(expectError(new SstpHttpResponseReader().push(Buffer.from(big))).kind, 'head-too-large');
    const reader = new SstpHttpResponseReader();
    let last: SstpHttpProgress = { done: false };
    for (let i = 0; i < 20 && !last.done; i++) last = reader.push(Buffer.alloc(1024, 0x41));
    assert.equal(expectError(last).kind, 'head-too-large');
  });

  it('garbage is a malformed error naming the part', () => {
    assert.equal(
      expectError(new SstpHttpResponseReader().push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).kind,
      'malformed',
    );
    const e = expectError(new SstpHttpResponseReader().push(Buffer.from('HTTP/1.1 200\r\nno colon here\r\n\r\n')));
    assert.deepEqual(e.kind === 'malformed' && e.field, 'header line 1');
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 8 }), (chunks) => {
        const reader = new SstpHttpResponseReader();
        for (const c of chunks) {
          const r = reader.push(Buffer.from(c));
          if (r.done && !r.ok) sstpHttpFailure(r.error);
        }
      }),
      { numRuns: 300 },
    );
  });
});
