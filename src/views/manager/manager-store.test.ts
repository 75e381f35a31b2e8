/**
 * Manager mode's store (src/stores/manager.ts) against a stand-in core: a request that finds no
 * manager session waits for the PIN and is sent again; cancelling says nothing was saved; every
 * refusal becomes one plain sentence, Danish first; and the manager texts say the same in both
 * languages.
 */
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import da from '../../locales/manager.da.json'
import en from '../../locales/manager.en.json'

const core = vi.hoisted(() => ({ answer: (_method: string, _args: unknown): unknown => null, calls: [] as { method: string; args: unknown }[] }))
vi.mock('../../api', async () => {
  const errors = await import('../../api/errors')
  return {
    api: {
      call: async (method: string, args: unknown) => {
        core.calls.push({ method, args })
        return core.answer(method, args)
      },
      on: () => () => {},
      onConnection: () => () => {},
      onFault: () => () => {},
      onAnswer: () => () => {},
    },
    RpcCallError: errors.RpcCallError,
    isRpcCallError: errors.isRpcCallError,
  }
})

const { i18n } = await import('../../i18n')
const { refusalMessage, useManagerStore } = await import('../../stores/manager')

const UNLOCKED = { unlocked: true, staffName: 'Jonas Berg', expiresAt: '2026-03-02T11:30:00.000Z' }
const LOCKED = { unlocked: false, staffName: null, expiresAt: null }

beforeEach(() => {
  setActivePinia(createPinia())
  core.calls = []
  i18n.global.locale.value = 'da'
})

describe('the manager store', () => {
  it('asks for the PIN when the core holds no session, and sends the request again once unlocked', async () => {
    let unlocked = false
    core.answer = (method, args) => {
      if (method === 'manager.request') return unlocked ? { status: 201, body: { category: { id: 'c-1' } } } : { status: 401, body: { error: 'manager-session-required' } }
      if (method === 'manager.unlock') {
        unlocked = (args as { pin: string }).pin === '9999'
        return unlocked ? { ok: true, status: UNLOCKED } : { ok: false, reason: 'pin-wrong' }
      }
      if (method === 'manager.status') return unlocked ? UNLOCKED : LOCKED
      return null
    }
    const manager = useManagerStore()
    const pending = manager.request('POST', '/manager/categories', { body: { name: 'Frugt', colour: '#0b6b2e' } })
    await vi.waitFor(() => expect(manager.prompting).toBe(true))
    expect(await manager.unlock('1111')).toEqual({ ok: false, reason: 'pin-wrong' })
    expect(manager.prompting).toBe(true)
    expect(await manager.unlock('9999')).toMatchObject({ ok: true })
    expect(await pending).toEqual({ ok: true, status: 201, body: { category: { id: 'c-1' } } })
    expect(manager.prompting).toBe(false)
    expect(manager.unlocked).toBe(true)
    const sent = core.calls.filter((c) => c.method === 'manager.request')
    expect(sent).toHaveLength(2)
    expect(sent[1]!.args).toEqual({ method: 'POST', path: '/manager/categories', body: { name: 'Frugt', colour: '#0b6b2e' } })
  })

  it('says nothing was saved when the manager cancels the PIN prompt', async () => {
    core.answer = (method) => (method === 'manager.request' ? { status: 401, body: { error: 'manager-session-required' } } : LOCKED)
    const manager = useManagerStore()
    const pending = manager.request('PUT', '/manager/products/p-1', { body: { name: 'Toast' } })
    await vi.waitFor(() => expect(manager.prompting).toBe(true))
    manager.cancelPrompt()
    expect(await pending).toEqual({ ok: false, status: 401, error: 'cancelled', message: 'Ikke låst op – intet er hentet eller gemt.' })
    expect(core.calls.filter((c) => c.method === 'manager.request')).toHaveLength(1)
  })

  it('turns the server’s refusals into plain sentences', async () => {
    const answers: Record<string, unknown> = {
      '/manager/offline': { status: 0, body: { error: 'server-unreachable', message: 'connect ECONNREFUSED' } },
      '/manager/taken': { status: 409, body: { error: 'barcode-taken', message: 'in use' } },
      '/manager/bad': { status: 400, body: { error: 'bad-request', message: 'name: too short', issues: [] } },
      '/manager/odd': { status: 418, body: { error: 'teapot' } },
    }
    core.answer = (method, args) => (method === 'manager.request' ? answers[(args as { path: string }).path] : UNLOCKED)
    const manager = useManagerStore()
    expect(await manager.request('POST', '/manager/offline', { body: {} })).toMatchObject({ ok: false, status: 0, message: 'Serveren kan ikke nås – ændringen er ikke gemt.' })
    expect(await manager.request('GET', '/manager/offline')).toMatchObject({ ok: false, message: 'Serveren kan ikke nås – prøv igen, når kassen er online.' })
    expect(await manager.request('PUT', '/manager/taken', { body: {} })).toMatchObject({ ok: false, error: 'barcode-taken', message: 'Stregkoden bruges allerede af en anden vare.' })
    expect(await manager.request('PUT', '/manager/bad', { body: {} })).toMatchObject({ ok: false, message: 'Serveren afviste det indtastede. Tjek felterne og prøv igen.' })
    expect(await manager.request('PUT', '/manager/odd', { body: {} })).toMatchObject({ ok: false, message: 'Serveren afviste ændringen (status 418). Intet er gemt.' })
    i18n.global.locale.value = 'en'
    expect(refusalMessage('DELETE', 0, null)).toEqual({ error: 'server-unreachable', message: 'The server cannot be reached – the change is not saved.' })
  })

  it('answers a fault of the core (signed out, unreachable) without throwing', async () => {
    core.answer = () => {
      throw new Error('gone')
    }
    const manager = useManagerStore()
    expect(await manager.request('GET', '/manager/staff')).toMatchObject({ ok: false, error: 'fault', message: 'Kassen svarede ikke – intet er gemt. Prøv igen.' })
  })
})

describe('the manager texts', () => {
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value !== 'object' || value === null ? [prefix] : Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
  const lookup = (messages: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages)

  it('say the same things in Danish and English, with the same placeholders', () => {
    expect(keys(en).sort()).toEqual(keys(da).sort())
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of keys(da)) expect(placeholders(lookup(en, key)), key).toEqual(placeholders(lookup(da, key)))
  })

  it('are merged into the app’s messages', () => {
    expect(i18n.global.t('manager.errors.offline')).toBe('Serveren kan ikke nås – ændringen er ikke gemt.')
  })
})
