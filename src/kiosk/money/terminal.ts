/**
 * The card terminal beside the kiosk screen. A screen asks it to take a card for an amount and
 * gets back a token for the payment provider (never a card number: the kiosk never sees one),
 * or that the parent cancelled. A real terminal's driver implements `PaymentTerminal` and is
 * provided with `provideTerminal`; the demo and the tests use the simulated one, which shows
 * the provider's test cards on screen (SimulatedTerminal.vue).
 */
import { inject, provide, shallowRef, type InjectionKey, type ShallowRef } from 'vue'

export type TerminalResult = { cardToken: string } | { cancelled: true }

export interface PaymentTerminal {
  /** `amountOre`: what the terminal displays; for an agreement (automatic top-up) the amount of each charge. */
  present(amountOre: number): Promise<TerminalResult>
}

/** The simulated provider's test cards (server/payments/simulated.ts TEST_CARDS). */
export const TEST_CARDS = [
  { id: 'ok', token: 'tok_visa' },
  { id: 'expired', token: 'tok_expired' },
  { id: 'blocked', token: 'tok_blocked' },
  { id: 'noFunds', token: 'tok_insufficient_funds' },
] as const

export type TestCardId = (typeof TEST_CARDS)[number]['id']

export interface PendingPresentation {
  amountOre: number
  choose(card: TestCardId): void
  cancel(): void
}

export interface SimulatedTerminal extends PaymentTerminal {
  /** The presentation waiting for a card, for the on-screen terminal to show; null when idle. */
  readonly pending: Readonly<ShallowRef<PendingPresentation | null>>
}

export function createSimulatedTerminal(): SimulatedTerminal {
  const pending = shallowRef<PendingPresentation | null>(null)
  return {
    pending,
    present(amountOre) {
      // A second presentation replaces a forgotten first one: that one ends as cancelled.
      pending.value?.cancel()
      return new Promise<TerminalResult>((resolve) => {
        const finish = (result: TerminalResult) => {
          if (pending.value === presentation) pending.value = null
          resolve(result)
        }
        const presentation: PendingPresentation = {
          amountOre,
          choose: (id) => finish({ cardToken: TEST_CARDS.find((c) => c.id === id)!.token }),
          cancel: () => finish({ cancelled: true }),
        }
        pending.value = presentation
      })
    },
  }
}

const KEY: InjectionKey<PaymentTerminal> = Symbol('payment-terminal')
let demoTerminal: SimulatedTerminal | null = null

/** The kiosk's terminal, when it has a real one (set by the shell above the money screens). */
export function provideTerminal(terminal: PaymentTerminal): void {
  provide(KEY, terminal)
}

/** The simulated terminal the demo uses when no real one was provided (one per page). */
export function simulatedTerminal(): SimulatedTerminal {
  demoTerminal ??= createSimulatedTerminal()
  return demoTerminal
}

export function useTerminal(): PaymentTerminal {
  return inject(KEY, null) ?? simulatedTerminal()
}
