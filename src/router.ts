import type { Pinia } from 'pinia'
import { createRouter, createWebHashHistory } from 'vue-router'
import type { RouteRecordRaw } from 'vue-router'
import type { AppInfo, StaffSession } from './api'
import { kioskRoutes } from './kiosk/routes'
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
  {
    path: '/manager/day',
    name: 'day-report',
    component: () => import('./views/DayReportView.vue'),
    meta: { title: 'dayReport.title', roles: ['manager'] },
  },
  { path: '/:rest(.*)*', redirect: '/cashier' },
]

/**
 * Hash history: works from file:// inside Electron and over http from the host alike.
 */
export function createAppRouter(pinia: Pinia) {
  const router = createRouter({ history: createWebHashHistory(), routes })

  let kind: Promise<'till' | 'kiosk'> | null = null
  // Asked once; a core that did not answer is asked again at the next navigation.
  const terminalKind = () =>
    (kind ??= useAppStore(pinia)
      .load()
      .then((info) => {
        if (info === null) kind = null
        return terminalKindOf(info)
      }))

  router.beforeEach(async (to) => {
    const onKiosk = (await terminalKind()) === 'kiosk'
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
