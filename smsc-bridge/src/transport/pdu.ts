/// <reference path="./smpp-lib.d.ts" />
// The `smpp` package as a codec: building PDUs, and reading the fields of
// the ones we receive as raw bytes. Importing this module adjusts the
// package's definition tables once (see prepareLibrary) so that text is never
// decoded by the package: it decodes by `data_coding & 0x0F`, reads receipts
// with the GSM table, and reads receipted_message_id past its TLV length.

import smpp, { type PDU } from 'smpp';

export { smpp };
export type { PDU };

/** Status holds the command_status values the bridge acts on, by SMPP name. */
export const Status = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RMSGQFUL: 0x14,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RTHROTTLED: 0x58,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RINVDCS: 0x104,
} as const;

/** INTERFACE_VERSION is what we bind with: SMPP 3.4, which GSM gateways speak (the package defaults to 5.0). */
export const INTERFACE_VERSION = 0x34;

let prepared = false;

/**
 * prepareLibrary adjusts the package's tables for the bridge, once: message
 * text filters pass raw bytes through both ways (we encode and decode
 * ourselves), and receipted_message_id is read as exactly its TLV length of
 * octets (the package's C-string reader runs into the next TLV when a
 * gateway leaves out the NUL). Every PDU this process builds or parses,
 * including the test simulator's, goes through the adjusted tables.
 */
export function prepareLibrary(): void {
  if (prepared) return;
  prepared = true;
  smpp.filters.message.decode = (value: unknown) => value;
  smpp.filters.message.encode = (value: unknown) => {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    // a string here is a programming error on our side: nothing may be encoded behind our back
    throw new TypeError('short_message and message_payload must be bytes; encode text with the codec first');
  };
  smpp.tlvs.receipted_message_id.type = smpp.types.tlv.buffer;
}

prepareLibrary();

const STATUS_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(smpp.errors)) if (!STATUS_NAMES.has(value)) STATUS_NAMES.set(value, name);

/** statusName names a command_status ("ESME_RTHROTTLED"), or "unknown" for vendor codes. */
export function statusName(status: number): string {
  return STATUS_NAMES.get(status) ?? 'unknown';
}

/** statusHex formats a command_status the way SMPP logs do: 0x00000058. */
export function statusHex(status: number): string {
  return '0x' + (status >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** makePdu builds a request or response PDU from spec-named fields. */
export function makePdu(command: string, fields: Record<string, unknown> = {}): PDU {
  return new smpp.PDU(command, fields);
}

function bufferField(pdu: PDU, name: string): Buffer | undefined {
  const v = pdu[name];
  return Buffer.isBuffer(v) ? v : undefined;
}

function numberField(pdu: PDU, name: string): number | undefined {
  const v = pdu[name];
  return typeof v === 'number' ? v : undefined;
}

function stringField(pdu: PDU, name: string): string {
  const v = pdu[name];
  return typeof v === 'string' ? v : '';
}

/** cString reads C-string octets as Latin-1, with or without their NUL(s). */
export function cString(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const first = bytes.indexOf(0);
  if (first >= 0 && first < end) end = first;
  return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('latin1');
}

/** Sar is the concatenation described by the sar_* TLVs. */
export interface Sar {
  ref: number;
  total: number;
  seq: number;
}

/** InboundSm is a deliver_sm or data_sm as raw fields: nothing in it has been decoded as text. */
export interface InboundSm {
  command: 'deliver_sm' | 'data_sm';
  source_addr: string;
  source_addr_ton: number;
  source_addr_npi: number;
  destination_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  esm_class: number;
  data_coding: number;
  short_message: Buffer;
  message_payload?: Buffer;
  receipted_message_id?: string;
  message_state?: number;
  network_error_code?: Buffer;
  sar?: Sar;
}

/** readInboundSm extracts the raw fields of a received deliver_sm or data_sm. */
export function readInboundSm(pdu: PDU): InboundSm {
  const rid = bufferField(pdu, 'receipted_message_id');
  const ref = numberField(pdu, 'sar_msg_ref_num');
  const total = numberField(pdu, 'sar_total_segments');
  const seq = numberField(pdu, 'sar_segment_seqnum');
  const out: InboundSm = {
    command: pdu.command === 'data_sm' ? 'data_sm' : 'deliver_sm',
    source_addr: stringField(pdu, 'source_addr'),
    source_addr_ton: numberField(pdu, 'source_addr_ton') ?? 0,
    source_addr_npi: numberField(pdu, 'source_addr_npi') ?? 0,
    destination_addr: stringField(pdu, 'destination_addr'),
    dest_addr_ton: numberField(pdu, 'dest_addr_ton') ?? 0,
    dest_addr_npi: numberField(pdu, 'dest_addr_npi') ?? 0,
    esm_class: numberField(pdu, 'esm_class') ?? 0,
    data_coding: numberField(pdu, 'data_coding') ?? 0,
    short_message: bufferField(pdu, 'short_message') ?? Buffer.alloc(0),
  };
  const payload = bufferField(pdu, 'message_payload');
  if (payload) out.message_payload = payload;
  if (rid) out.receipted_message_id = cString(rid);
  const state = numberField(pdu, 'message_state');
  if (state !== undefined) out.message_state = state;
  const nec = bufferField(pdu, 'network_error_code');
  if (nec) out.network_error_code = nec;
  if (ref !== undefined && total !== undefined && seq !== undefined) out.sar = { ref, total, seq };
  return out;
}

/** messageIdOf reads the message_id of a submit_sm_resp (or data_sm_resp), trimmed of NULs and spaces. */
export function messageIdOf(pdu: PDU): string {
  return stringField(pdu, 'message_id').replace(/^[\s\0]+|[\s\0]+$/g, '');
}
