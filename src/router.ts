import type { Pinia } from 'pinia'
import { createRouter, createWebHashHistory } from 'vue-router'
import type { RouteRecordRaw } from 'vue-router'
import { api } from './api'
import type { AppInfo, StaffSession } from './api'
import { kioskRoutes } from './kiosk/routes'
import { managerRoutes } from './views/manager/routes'
import { useGuardianStore } from './kiosk/session'
import { useAppStore } from './stores/app'
import { useSessionStore } from './stores/session'
import CashierView from './views/CashierView.vue'
import SignInView from './views/SignInView.vue'

type Role = StaffSession['roles'][number]

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a signed-in member of staff. */
    public?: boolean
    /** i18n key of the mode's title. */
    title?: string
    /** Staff roles that may use this mode; absent: anyone signed in. */
    roles?: Role[]
    /** A kiosk screen: the only ones a kiosk terminal shows, and none a till shows. */
    kiosk?: boolean
    /** A kiosk screen that needs a signed-in guardian. */
    guardian?: boolean
  }
}

/** Where a member of staff lands after signing in: the first mode their roles allow. */
export function homeRoute(roles: readonly Role[]): 'cashier' | 'pickup' | 'manager' {
  if (roles.includes('cashier')) return 'cashier'
  if (roles.includes('pickup')) return 'pickup'
  if (roles.includes('manager')) return 'manager'
  return 'cashier'
}

/** `app.info().terminalKind` (a core from before kiosks has none: a till). */
export function terminalKindOf(info: AppInfo | null): 'till' | 'kiosk' {
  const kind = info && 'terminalKind' in info ? (info as { terminalKind?: unknown }).terminalKind : undefined
  return kind === 'kiosk' ? 'kiosk' : 'till'
}

/** Each route is a mode of the till. Later work fills pickup, kiosk and manager. */
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/cashier' },
  // An unenrolled terminal's only screen (and no screen of an enrolled one): the guard decides.
  { path: '/first-run', name: 'first-run', component: () => import('./views/FirstRunView.vue'), meta: { public: true, title: 'firstRun.title' } },
  { path: '/signin', name: 'signin', component: SignInView, meta: { public: true, title: 'signin.title' } },
  { path: '/cashier', name: 'cashier', component: CashierView, meta: { title: 'modes.cashier', roles: ['cashier'] } },
  {
    path: '/pickup',
    name: 'pickup',
    component: () => import('./views/PickupView.vue'),
    meta: { title: 'modes.pickup', roles: ['pickup', 'manager'] },
  },
  kioskRoutes,
  {
    path: '/manager',
    name: 'manager',
    component: () => import('./views/ManagerView.vue'),
    meta: { title: 'modes.manager', roles: ['manager'] },
  },
  ...managerRoutes(['manager']),
  {
    path: '/manager/day',
    name: 'day-report',
    component: () => import('./views/DayReportView.vue'),
    meta: { title: 'dayReport.title', roles: ['manager'] },
  },
  { path: '/:rest(.*)*', redirect: '/cashier' },
]

interface TerminalSetup {
  kind: 'till' | 'kiosk'
  /** Not enrolled and nothing to enrol with: the first-run screen (api/areas/enrolment.ts). */
  firstRun: boolean
}

let setup: Promise<TerminalSetup> | null = null

/** The first-run screen enrolled this terminal (maybe as the other kind): the guard asks the core again. */
export function forgetTerminalSetup(): void {
  setup = null
}

/**
 * Hash history: works from file:// inside Electron and over http from the host alike.
 */
export function createAppRouter(pinia: Pinia) {
  const router = createRouter({ history: createWebHashHistory(), routes })

  // Asked once; a core that did not answer is asked again at the next navigation.
  const terminalSetup = () =>
    (setup ??= Promise.all([
      useAppStore(pinia).load(),
      api.call('enrolment.status').catch(() => null),
    ]).then(([info, status]) => {
      if (info === null || status === null) setup = null
      return { kind: terminalKindOf(info), firstRun: status?.firstRun === true }
    }))

  router.beforeEach(async (to) => {
    const { kind, firstRun } = await terminalSetup()
    const onKiosk = kind === 'kiosk'
    // An unenrolled till or kiosk shows the first-run screen and nothing else; an enrolled one never shows it.
    if (firstRun) return to.name === 'first-run' ? true : { name: 'first-run' }
    if (to.name === 'first-run') return onKiosk ? { name: 'kiosk-start' } : { name: 'signin' }
    const toKiosk = to.matched.some((r) => r.meta.kiosk)
    // A kiosk shows its parents' screens only, without staff; a till never shows them.
    if (onKiosk) {
      if (!toKiosk) return { name: 'kiosk-start' }
      const signedIn = useGuardianStore(pinia).signedIn
      if (to.meta.guardian) return signedIn ? true : { name: 'kiosk-start' }
      // The sign-in screens are for a kiosk nobody is signed in at.
      return signedIn ? { name: 'kiosk-accounts' } : true
    }
    const session = useSessionStore(pinia)
    await session.restore()
    const staff = session.staff
    if (toKiosk) return staff ? { name: homeRoute(staff.roles) } : { name: 'signin' }
    if (to.meta.public) return to.name === 'signin' && staff ? { name: homeRoute(staff.roles) } : true
    if (!staff) return { name: 'signin' }
    const allowed = to.meta.roles === undefined || to.meta.roles.some((role) => staff.roles.includes(role))
    return allowed ? true : { name: homeRoute(staff.roles) }
  })

  return router
}
