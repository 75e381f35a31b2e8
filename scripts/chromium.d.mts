// Types of scripts/chromium.mjs (plain JavaScript: it runs before `npm ci`), for its TypeScript callers.
export interface ChromiumFacts {
  chromiumPath?: string
  exists: (path: string) => boolean
  playwrightChromiums: string[]
  platform: string
  uid: number | null
  aptAvailable: boolean
}
export type ChromiumDecision =
  | { action: 'use'; path: string }
  | { action: 'install'; command: string[]; then: string }
  | { action: 'stop'; message: string; command: string }
export declare const SYSTEM_CHROMIUMS: string[]
export declare const APT_INSTALL: string[]
export declare function decideChromium(facts: ChromiumFacts): ChromiumDecision
export declare function playwrightChromiums(env?: Record<string, string | undefined>, platform?: string): string[]
export declare function machineFacts(env?: Record<string, string | undefined>): ChromiumFacts
export declare function findChromium(env?: Record<string, string | undefined>): string | null
