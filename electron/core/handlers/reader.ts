import type { ReaderResults } from '../api/areas/reader'
import { RpcFault } from '../api/dispatch'
import type { AreaHandlers } from './area'
import type { HandlerContext } from './context'

/**
 * The reader's state is for anyone (the status bar shows it before sign-in); listing USB devices
 * and choosing one is a manager's. A wedge burst needs no sign-in: it only reads, and the
 * parent kiosk's card sign-in takes the same road.
 */
export function readerHandlers(ctx: HandlerContext): AreaHandlers<ReaderResults> {
  return {
    'reader.state': () => ctx.readers.state(),
    'reader.status': () => ctx.readers.status(),
    'reader.devices': () => {
      ctx.session.signedIn('manager')
      return ctx.readers.devices()
    },
    'reader.configure': (config) => {
      ctx.session.signedIn('manager')
      return ctx.readers.configure(config)
    },
    'reader.wedge': ({ text }) => ctx.readers.wedge(text),
    'reader.simulate': ({ cardNumber }) => {
      const simulated = ctx.readers.simulated
      if (!simulated) throw new RpcFault('forbidden', 'This build has no simulated card reader')
      simulated.present(cardNumber)
      return null
    },
  }
}
