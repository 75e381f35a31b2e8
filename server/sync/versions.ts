import { ACCEPTED_PROTOCOLS, SCHEMA_VERSION } from '../../domain/sync'
import { HttpError } from '../platform/errors'

/** The server speaks the current and the previous protocol and schema (DESIGN.md). */
export const ACCEPTED_SCHEMAS: readonly number[] = [SCHEMA_VERSION, SCHEMA_VERSION - 1]

/** `undefined`: not stated (allowed only where the request has no body to carry it, i.e. pull). */
export function checkVersions({ protocol, schema }: { protocol?: number; schema?: number }): void {
  if (protocol !== undefined && !ACCEPTED_PROTOCOLS.includes(protocol)) {
    throw new HttpError(426, 'protocol-unsupported', `protocol ${protocol} is not supported (accepted: ${ACCEPTED_PROTOCOLS.join(', ')}); update the till`)
  }
  if (schema !== undefined && !ACCEPTED_SCHEMAS.includes(schema)) {
    throw new HttpError(426, 'protocol-unsupported', `schema ${schema} is not supported (accepted: ${ACCEPTED_SCHEMAS.join(', ')}); update the till`)
  }
}
