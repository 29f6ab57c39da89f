// The failures the SSTP control machine reports, worded for a person: what happened, what to do next.
// Kept apart from the state machine so the wording can be reviewed (and translated) in one place.
import { describeDecodeError, type DecodeError } from '../bytes.js';
import { failure, type SessionFailure } from '../failure.js';
import { hashBitmaskLabel } from './trace.js';

const INCOMPATIBLE = 'if it keeps happening, the server may not be a compatible SSTP server.';

export function malformedControl(error: DecodeError): SessionFailure {
  return failure(
    'sstp',
    'protocol-error',
    `The server sent an SSTP message that could not be read. Try again; ${INCOMPATIBLE}`,
    {
      detail: describeDecodeError(error),
    },
  );
}

export function unexpectedMessage(type: string, state: string): SessionFailure {
  return failure(
    'sstp',
    'protocol-error',
    `The server sent ${type}, which is not allowed at this point of an SSTP call. Try again; ${INCOMPATIBLE}`,
    {
      detail: `unexpected ${type} in state ${state}`,
    },
  );
}

export function missingBindingRequest(): SessionFailure {
  return failure(
    'sstp',
    'sstp-negotiation-failed',
    'The server accepted the call without the crypto binding request SSTP requires, so it is not a compatible SSTP server. Contact its administrator.',
    {
      detail: 'CALL_CONNECT_ACK without CRYPTO_BINDING_REQ',
    },
  );
}

export function noSupportedHash(bitmask: number): SessionFailure {
  return failure(
    'sstp',
    'sstp-negotiation-failed',
    'The server offered no crypto binding hash this client supports (SHA-1 or SHA-256). Contact the server administrator.',
    {
      detail: `CRYPTO_BINDING_REQ hash bitmask ${hashBitmaskLabel(bitmask)}`,
    },
  );
}

export function connectRefused(requests: number, why: string): SessionFailure {
  return failure(
    'sstp',
    'sstp-negotiation-failed',
    `The server refused the SSTP call ${requests} times (${why}). It may not accept PPP over SSTP for this account, or be overloaded; try again later or ask its administrator.`,
    {
      detail: `CALL_CONNECT_NAK x${requests}: ${why}`,
    },
  );
}

export function negotiationTimeout(waitingForAck: boolean, ms: number): SessionFailure {
  const seconds = Math.round(ms / 1000);
  return waitingForAck
    ? failure(
        'sstp',
        'negotiation-timeout',
        `The server did not answer the SSTP call request within ${seconds} s. Check that the address is an SSTP server, or try again later.`,
        {
          detail: 'no CALL_CONNECT_ACK',
        },
      )
    : failure(
        'sstp',
        'negotiation-timeout',
        `PPP authentication did not complete within ${seconds} s after the server accepted the call. Check the authentication methods allowed in the profile, or try again.`,
        {
          detail: 'no CALL_CONNECTED before the negotiation timer expired',
        },
      );
}

/** A check after a resume or a network change (SstpClientControl.probe) went unanswered. */
export function probeUnanswered(timeoutMs: number): SessionFailure {
  return failure(
    'sstp',
    'dead-peer',
    `The server did not answer a check within ${timeoutMs} ms after the computer woke up or the network changed: the connection is gone.`,
    { detail: `ECHO_REQUEST unanswered for ${timeoutMs} ms` },
  );
}

export function deadPeer(silentMs: number): SessionFailure {
  return failure(
    'sstp',
    'dead-peer',
    `The server stopped answering: nothing received for ${Math.round(silentMs / 1000)} s, and no reply to an SSTP echo. The network path may be down; reconnect.`,
    {
      detail: `receive silence ${silentMs} ms including one unanswered ECHO_REQUEST`,
    },
  );
}

/** `words` from describeStatus, e.g. "INVALID_FRAME_RECEIVED (a packet could not be parsed)". */
export function peerAbort(words: string): SessionFailure {
  return failure(
    'sstp',
    'peer-abort',
    `The server aborted the call: ${words}. Try connecting again; if it keeps happening, the server's logs will say why.`,
    {
      detail: `CALL_ABORT ${words}`,
    },
  );
}

export function peerDisconnect(): SessionFailure {
  return failure(
    'sstp',
    'peer-disconnect',
    'The server ended the connection. Reconnect if you did not expect this; the administrator may have disconnected this session.',
    {
      detail: 'CALL_DISCONNECT from the server',
    },
  );
}
