import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv6cpPolicy } from '../../../../main/engine/ppp/ipv6cp.js';
import { hexOpt, opt, scriptedRandom } from './harness.js';

const OURS = '021a2bfffe3c4d5e';

describe('IPv6CP policy', () => {
  it('asks for a random non-zero interface identifier', () => {
    const p = new Ipv6cpPolicy(scriptedRandom(['0000000000000000', OURS]));
    assert.deepEqual(p.buildRequest(), [hexOpt(1, OURS)]);
    assert.equal(p.negotiated.localInterfaceId, '21a:2bff:fe3c:4d5e');
  });

  it("takes the identifier the peer Naks us, unless it is zero or the peer's own", () => {
    const p = new Ipv6cpPolicy(scriptedRandom([OURS, '1111111111111111']));
    p.applyNak([hexOpt(1, 'aaaaaaaaaaaaaaaa')]);
    assert.deepEqual(p.buildRequest(), [hexOpt(1, 'aaaaaaaaaaaaaaaa')]);
    p.judgeRequest([hexOpt(1, 'bbbbbbbbbbbbbbbb')]);
    p.applyNak([hexOpt(1, 'bbbbbbbbbbbbbbbb')]);
    assert.deepEqual(p.buildRequest(), [hexOpt(1, '1111111111111111')]);
    p.applyNak([hexOpt(1, '0000000000000000')]);
    assert.notDeepEqual(p.buildRequest(), [hexOpt(1, '0000000000000000')]);
  });

  it('Naks a zero or colliding peer identifier with a fresh one different from ours', () => {
    const p = new Ipv6cpPolicy(scriptedRandom([OURS, OURS, '2222222222222222']));
    for (const id of ['0000000000000000', OURS]) {
      const j = p.judgeRequest([hexOpt(1, id)]);
      const v = j.kind === 'verdicts' ? j.verdicts[0] : undefined;
      assert.equal(v?.kind, 'nak');
      if (v?.kind === 'nak') {
        assert.notEqual(v.suggest.data.toString('hex'), OURS);
        assert.notEqual(v.suggest.data.toString('hex'), '0000000000000000');
      }
    }
  });

  it('Acks a distinct identifier, rejects everything else', () => {
    const p = new Ipv6cpPolicy(scriptedRandom([OURS]));
    const j = p.judgeRequest([hexOpt(1, '0000000000000001'), opt(2, 0x00, 0x4f), opt(1, 1, 2), opt(9)]);
    assert.deepEqual(j.kind === 'verdicts' && j.verdicts.map((v) => v.kind), ['ack', 'reject', 'reject', 'reject']);
    p.peerAccepted([hexOpt(1, '0000000000000001')]);
    assert.equal(p.negotiated.peerInterfaceId, '0:0:0:1');
  });

  it('keeps its identifier when the option is rejected', () => {
    const p = new Ipv6cpPolicy(scriptedRandom([OURS]));
    p.applyReject([hexOpt(1, OURS)]);
    assert.deepEqual(p.buildRequest(), []);
    assert.equal(p.negotiated.localInterfaceId, '21a:2bff:fe3c:4d5e');
  });
});
