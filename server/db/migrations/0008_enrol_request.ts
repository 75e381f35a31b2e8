/**
 * An enrolment whose answer was lost is asked again by the same till with the same request id
 * (the till keeps it before it first sends it): the server answers it with the same terminal
 * instead of "already used". The id is stored with the code that it used.
 */
export const name = 'enrol-request'

export const sql = /* sql */ `
ALTER TABLE enrolment_codes ADD COLUMN request_id uuid;
`
