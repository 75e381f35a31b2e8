import type { ReaderResults } from '../api/areas/reader'
import { RpcFault } from '../api/dispatch'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

export function readerHandlers(ctx: HandlerContext): AreaHandlers<ReaderResults> {
  return {
    'reader.state': () => ctx.readers.all.find((r) => r.state !== 'disconnected')?.state ?? 'disconnected',
    'reader.simulate': ({ cardNumber }) => {
      const simulated = ctx.readers.simulated
      if (!simulated) throw new RpcFault('forbidden', 'This build has no simulated card reader')
      simulated.present(cardNumber)
      return null
    },
  }
}
