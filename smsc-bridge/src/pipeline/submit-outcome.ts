// What a submit_sm answer (or the lack of one) means for a delivery: done,
// worth retrying, or a permanent failure, with a reason a person can read.

import { Status, statusHex, statusName } from '../transport/pdu.js';
import { EncodeError, LinkDownError, RequestTimeoutError } from '../session/errors.js';

/** SubmitOutcome classifies one part's submit. */
export type SubmitOutcome =
  | { kind: 'ok'; id: string }
  | { kind: 'retry'; code: string; reason: string; throttled?: boolean; queueFull?: boolean; sent: boolean }
  | { kind: 'permanent'; code: string; reason: string };

const RETRYABLE: Record<number, string> = {
  [Status.ESME_RMSGQFUL]: 'The SMSC queue is full',
  [Status.ESME_RTHROTTLED]: 'The SMSC is throttling us',
  [Status.ESME_RSYSERR]: 'The SMSC reported a system error',
  [Status.ESME_RX_T_APPN]: 'The SMSC reported a temporary error',
  [Status.ESME_RINVBNDSTS]: 'The SMSC says the link is not bound',
};

const PERMANENT: Record<number, string> = {
  [Status.ESME_RINVMSGLEN]: 'The SMSC says the message length is invalid',
  [Status.ESME_RINVSRCADR]: 'The SMSC rejected the sender number',
  [Status.ESME_RINVDSTADR]: 'The SMSC rejected the recipient number',
  [Status.ESME_RSUBMITFAIL]: 'The SMSC refused the message',
  [Status.ESME_RINVSRCTON]: 'The SMSC rejected the sender number format (type of number)',
  [Status.ESME_RINVSRCNPI]: 'The SMSC rejected the sender number format (numbering plan)',
  [Status.ESME_RINVDSTTON]: 'The SMSC rejected the recipient number format (type of number)',
  [Status.ESME_RINVDSTNPI]: 'The SMSC rejected the recipient number format (numbering plan)',
  [Status.ESME_RINVDCS]: 'The SMSC does not accept this text encoding',
  0xc0: 'The SMSC rejected an optional parameter',
  0xc1: 'The SMSC rejected an optional parameter',
  0xc2: 'The SMSC rejected an optional parameter',
  0xc3: 'The SMSC rejected an optional parameter',
  0xc4: 'The SMSC rejected an optional parameter',
};

/**
 * classifyStatus reads a submit_sm_resp command_status. Retryable: queue
 * full, throttled, system error, temporary application error, bind status.
 * Everything else is permanent: the listed codes with a specific reason,
 * unknown and vendor codes with their number, so nothing loops forever on a
 * code we do not understand.
 */
export function classifyStatus(status: number): SubmitOutcome {
  const code = statusHex(status);
  const name = statusName(status);
  const retry = RETRYABLE[status];
  if (retry) {
    return {
      kind: 'retry',
      code,
      reason: `${retry} (${name})`,
      throttled: status === Status.ESME_RTHROTTLED,
      queueFull: status === Status.ESME_RMSGQFUL,
      sent: true,
    };
  }
  const permanent = PERMANENT[status];
  if (permanent) return { kind: 'permanent', code, reason: `${permanent} (${name})` };
  return { kind: 'permanent', code, reason: `The SMSC refused the message with ${name === 'unknown' ? 'error' : name} ${code}` };
}

/** classifyError reads a rejected submit: link down, no answer, or a PDU we could not build. */
export function classifyError(err: unknown, linkName: string): SubmitOutcome {
  if (err instanceof LinkDownError) {
    return err.sent
      ? { kind: 'retry', code: 'link_lost', reason: `The connection to SMSC link '${linkName}' dropped before it answered`, sent: true }
      : { kind: 'retry', code: 'link_down', reason: `SMSC link '${linkName}' is down`, sent: false };
  }
  if (err instanceof RequestTimeoutError) {
    return { kind: 'retry', code: 'timeout', reason: `SMSC link '${linkName}' did not answer in time`, sent: true };
  }
  if (err instanceof EncodeError) return { kind: 'permanent', code: 'encode', reason: `The message could not be encoded: ${err.message}` };
  return { kind: 'retry', code: 'error', reason: err instanceof Error ? err.message : String(err), sent: false };
}
