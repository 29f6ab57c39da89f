import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { phaseLogger, silentSink } from '../../../../main/engine/log.js';
import { IpcpPolicy } from '../../../../main/engine/ppp/ipcp.js';
import type { ConfigOption } from '../../../../main/engine/ppp/options.js';
import { ipOpt, opt } from './harness.js';

const make = () => new IpcpPolicy(phaseLogger(silentSink, 'ipcp'));
const kinds = (p: IpcpPolicy, options: ConfigOption[]) => {
  const j = p.judgeRequest(options);
  return j.kind === 'verdicts' ? j.verdicts.map((v) => v.kind) : [];
};

describe('IPCP policy', () => {
  it('asks for address and both DNS servers as 0.0.0.0', () => {
    assert.deepEqual(make().buildRequest(), [ipOpt(3, '0.0.0.0'), ipOpt(129, '0.0.0.0'), ipOpt(131, '0.0.0.0')]);
  });

  it("takes the Nak'd values and reports what was acked", () => {
    const p = make();
    p.applyNak([
      ipOpt(3, '192.168.30.10'),
      ipOpt(129, '192.168.30.1'),
      ipOpt(131, '192.168.30.2'),
      ipOpt(130, '1.1.1.1'),
    ]);
    const req = p.buildRequest();
    assert.deepEqual(req, [ipOpt(3, '192.168.30.10'), ipOpt(129, '192.168.30.1'), ipOpt(131, '192.168.30.2')]);
    p.requestAcked(req);
    assert.deepEqual(p.negotiated, { local: '192.168.30.10', peer: null, dns: ['192.168.30.1', '192.168.30.2'] });
  });

  it('drops rejected DNS options and proceeds without them', () => {
    const p = make();
    p.applyReject([ipOpt(129, '0.0.0.0'), ipOpt(131, '0.0.0.0')]);
    assert.deepEqual(p.buildRequest(), [ipOpt(3, '0.0.0.0')]);
    p.applyNak([ipOpt(3, '10.1.1.5'), ipOpt(129, '10.1.1.1')]);
    assert.deepEqual(p.buildRequest(), [ipOpt(3, '10.1.1.5')]);
    p.requestAcked(p.buildRequest());
    assert.deepEqual(p.negotiated.dns, []);
  });

  it('treats DNS acked as 0.0.0.0 as no DNS, and an unassigned address as none', () => {
    const p = make();
    p.requestAcked(p.buildRequest());
    assert.deepEqual(p.negotiated, { local: null, peer: null, dns: [] });
  });

  it("accepts the server's own address; rejects 0.0.0.0 from it, compression, NBNS, DNS and unknown options", () => {
    const p = make();
    assert.deepEqual(kinds(p, [ipOpt(3, '192.168.30.1')]), ['ack']);
    const offer = [
      ipOpt(3, '0.0.0.0'),
      opt(2, 0x00, 0x2d, 0x0f, 0x01),
      ipOpt(130, '0.0.0.0'),
      ipOpt(132, '0.0.0.0'),
      ipOpt(129, '0.0.0.0'),
      opt(0x90),
      opt(3, 1, 2),
    ];
    assert.deepEqual(
      kinds(p, offer),
      offer.map(() => 'reject'),
    );
    p.peerAccepted([ipOpt(3, '192.168.30.1')]);
    assert.equal(p.negotiated.peer, '192.168.30.1');
  });
});
