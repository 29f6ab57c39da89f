import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colonHex, normaliseFingerprint } from '../../../../main/engine/transport/certificate.js';
import { connectRequest } from '../../../../main/engine/transport/proxy.js';
import { HttpHeadReader } from '../../../../main/engine/transport/http-head.js';

describe('transport helpers', () => {
  it('writes the CONNECT request with Host and an optional Proxy-Authorization', () => {
    assert.equal(
      connectRequest('vpn.example.com', 443),
      'CONNECT vpn.example.com:443 HTTP/1.1\r\nHost: vpn.example.com:443\r\n\r\n',
    );
    const withAuth = connectRequest('2001:db8::1', 443, 'Basic dTpwOnc=');
    assert.match(withAuth, /^CONNECT \[2001:db8::1\]:443 HTTP\/1\.1\r\n/);
    assert.match(withAuth, /Proxy-Authorization: Basic dTpwOnc=\r\n\r\n$/);
  });

  it('reads an HTTP head split across chunks and hands back what follows', () => {
    const r = new HttpHeadReader(1024);
    assert.equal(r.push(Buffer.from('HTTP/1.0 200 Connection est')).kind, 'incomplete');
    const s = r.push(Buffer.from('ablished\r\nProxy-agent: tinyproxy\r\n\r\n\x10\x01'));
    assert.ok(s.kind === 'done');
    assert.equal(s.head.status, 200);
    assert.equal(s.head.headers.get('proxy-agent'), 'tinyproxy');
    assert.deepEqual([...s.rest], [0x10, 0x01]);
  });

  it('refuses an endless or malformed head', () => {
    assert.equal(new HttpHeadReader(16).push(Buffer.alloc(64, 0x41)).kind, 'too-large');
    assert.equal(new HttpHeadReader(1024).push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')).kind, 'malformed');
  });

  it('normalises fingerprints in every common spelling', () => {
    const hex = 'ab'.repeat(32);
    for (const s of [
      hex,
      hex.toUpperCase(),
      `sha256:${hex}`,
      colonHex(Buffer.from(hex, 'hex')),
      `SHA256:${colonHex(Buffer.from(hex, 'hex'))}`,
    ]) {
      assert.equal(normaliseFingerprint(s), hex.toUpperCase(), s);
    }
    assert.equal(normaliseFingerprint('ab'.repeat(31)), undefined);
    assert.equal(normaliseFingerprint('zz'.repeat(32)), undefined);
  });
});
