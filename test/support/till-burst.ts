/**
 * A till process that sells as fast as it can and says "confirmed <saleId>" for each sale the
 * cashier would have seen approved. The crash test kills it with SIGKILL in the middle.
 * argv: dataDir serverUrl cardNumber productId
 */
import { randomUUID } from 'node:crypto'
import { openTill } from '../../electron/core/till'

const [dataDir, serverUrl, cardNumber, productId] = process.argv.slice(2)
const till = await openTill({ dataDir: dataDir!, serverUrl, syncIntervalMs: 50 })
const signIn = await till.dispatch('staff.signIn', { pin: '1234' })
if (!signIn.ok) throw new Error('sign-in failed')
process.stdout.write('ready\n')
for (;;) {
  const res = await till.dispatch('sale.record', { saleId: randomUUID(), cardNumber, lines: [{ productId, qty: 1 }] })
  if (!res.ok) throw new Error(res.error.message)
  const outcome = res.value as { ok: boolean; saleId?: string; reason?: string }
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`)
  process.stdout.write(`confirmed ${outcome.saleId}\n`)
  // Let the background push run between sales, so the kill can land mid-upload.
  await new Promise((r) => setImmediate(r))
}
