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
// Online first: a till that has not reached its server yet sells within its offline cap only.
for (;;) {
  const status = await till.dispatch('sync.status', {})
  if (status.ok && (status.value as { online: boolean }).online) break
  await new Promise((r) => setTimeout(r, 20))
}
process.stdout.write('ready\n')
for (;;) {
  const res = await till.dispatch('sale.record', { saleId: randomUUID(), cardNumber, lines: [{ productId, qty: 1 }] })
  if (!res.ok) throw new Error(res.error.message)
  const outcome = res.value as { ok: boolean; saleId?: string; reason?: string }
  // On a loaded machine a push can time out and the till counts itself offline for a moment;
  // its offline cap then refuses, as it should. The cashier would wait and ring it up again.
  if (!outcome.ok && outcome.reason === 'offline-limit') {
    await new Promise((r) => setTimeout(r, 50))
    continue
  }
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`)
  process.stdout.write(`confirmed ${outcome.saleId}\n`)
  // Let the background push run between sales, so the kill can land mid-upload.
  await new Promise((r) => setImmediate(r))
}
