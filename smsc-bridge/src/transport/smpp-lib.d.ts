// The part of the `smpp` package (0.5.1, plain JavaScript) the bridge uses:
// its Session as socket + framing, its PDU class as encoder/decoder, and its
// definition tables, which transport/pdu.ts adjusts once at start.

declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';
  import type { Server as NetServer } from 'node:net';

  /** PDU fields are the spec's snake_case names; TLVs appear by name, unknown TLVs by numeric tag. */
  export class PDU {
    constructor(command: string | Buffer, options?: Record<string, unknown>);
    command: string;
    command_length: number;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
    static maxLength: number;
    static fromBuffer(buffer: Buffer): PDU | false;
  }

  export class Session extends EventEmitter {
    constructor(options: Record<string, unknown>);
    socket: Socket;
    sequence: number;
    paused: boolean;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  interface TypeCodec {
    read(buffer: Buffer, offset: number, length?: number): unknown;
    write(value: unknown, buffer: Buffer, offset: number): void;
    size(value: unknown): number;
    default: unknown;
  }

  interface TlvDef {
    id: number;
    type: TypeCodec;
    tag: string;
    multiple?: boolean;
    filter?: { encode(value: unknown): unknown; decode(value: unknown, skipUdh?: boolean): unknown };
  }

  interface Smpp {
    connect(options: Record<string, unknown>, listener?: () => void): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
    PDU: typeof PDU;
    Session: typeof Session;
    errors: Record<string, number>;
    tlvs: Record<string, TlvDef>;
    tlvsById: Record<number, TlvDef>;
    types: { tlv: Record<string, TypeCodec> } & Record<string, TypeCodec>;
    filters: Record<string, { encode(value: unknown): unknown; decode(value: unknown, skipUdh?: boolean): unknown }>;
    commands: Record<string, { id: number; params?: Record<string, { type: TypeCodec; filter?: unknown }> }>;
  }

  const smpp: Smpp;
  export default smpp;
}
