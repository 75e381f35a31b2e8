import { z } from 'zod'
import { cardNumber, noArgs } from './area'

export type ReaderState = 'connected' | 'disconnected' | 'simulated'

export const readerMethods = {
  'reader.state': { input: noArgs },
  /** Development builds: what a card on the simulated reader would send. */
  'reader.simulate': { input: z.object({ cardNumber }).strict() },
} as const

export interface ReaderResults {
  'reader.state': ReaderState
  'reader.simulate': null
}
