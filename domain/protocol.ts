/**
 * The version of the conversation between a till and the server, said on every request in one
 * header, so that the server can turn away a till too old to be understood before it reads or
 * stores anything, with a message a canteen can act on ("update Kantine on this PC").
 *
 * 1: the tills of 0.1.0, which send no header (a missing header counts as 1).
 * 2: the till sends `Kantine-Protocol: 2` on every request to the server.
 *
 * The server accepts the current protocol and the previous one (DESIGN.md: a municipality never
 * updates 200 PCs at the same minute), i.e. MIN_PROTOCOL_VERSION and up to PROTOCOL_VERSION.
 */
export const PROTOCOL_VERSION = 2
export const MIN_PROTOCOL_VERSION = PROTOCOL_VERSION - 1
/** Lower case, as Node gives request headers; HTTP header names are case-insensitive. */
export const PROTOCOL_HEADER = 'kantine-protocol'
/** What a request without the header is taken to speak: the tills from before the header. */
export const PROTOCOL_WITHOUT_HEADER = 1

export type ProtocolCheck =
  | { ok: true; value: number }
  | { ok: false; reason: 'protocol-too-old' | 'protocol-too-new' | 'bad-protocol-header'; message: string }

/**
 * What a server of this build makes of a request's header value (`undefined`: no header; an
 * array: the header sent more than once). Only a plain decimal integer is a protocol.
 */
export function checkProtocolHeader(value: string | string[] | undefined): ProtocolCheck {
  if (value === undefined) return accept(PROTOCOL_WITHOUT_HEADER)
  if (Array.isArray(value) || !/^[0-9]{1,6}$/.test(value.trim())) {
    return { ok: false, reason: 'bad-protocol-header', message: `the ${PROTOCOL_HEADER} header must be one whole number, e.g. ${PROTOCOL_VERSION}` }
  }
  return accept(Number(value.trim()))
}

function accept(protocol: number): ProtocolCheck {
  if (protocol < MIN_PROTOCOL_VERSION) {
    return {
      ok: false,
      reason: 'protocol-too-old',
      message: `this till runs protocol ${protocol}; the server needs at least ${MIN_PROTOCOL_VERSION}: update Kantine on this PC`,
    }
  }
  if (protocol > PROTOCOL_VERSION) {
    return {
      ok: false,
      reason: 'protocol-too-new',
      message: `this till runs protocol ${protocol}; the server knows at most ${PROTOCOL_VERSION}: the server must be updated first`,
    }
  }
  return { ok: true, value: protocol }
}
