// Why a request or a bind did not get an answer. The pipeline decides what
// to do from the class and from `sent`: whether the PDU may have reached
// the SMSC (outcome unknown) or certainly did not.

import { statusHex, statusName } from '../transport/pdu.js';

/** LinkDownError means the session closed (or was never up) before a response came. */
export class LinkDownError extends Error {
  /** sent is true when the request was written to the socket: the SMSC may have acted on it. */
  readonly sent: boolean;

  constructor(message: string, sent: boolean) {
    super(message);
    this.name = 'LinkDownError';
    this.sent = sent;
  }
}

/** RequestTimeoutError means the request went out and no response came within the deadline. */
export class RequestTimeoutError extends Error {
  readonly command: string;

  constructor(command: string, ms: number) {
    super(`no ${command}_resp within ${ms} ms`);
    this.name = 'RequestTimeoutError';
    this.command = command;
  }
}

/** EncodeError means the PDU could not be built (e.g. a field too long); nothing was sent. */
export class EncodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EncodeError';
  }
}

/** BindError is a bind refused by the SMSC with a command_status. */
export class BindError extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`bind refused: ${statusName(status)} (${statusHex(status)})`);
    this.name = 'BindError';
    this.status = status;
  }
}
