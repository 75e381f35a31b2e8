import type { Pinia } from 'pinia'
import { createRouter, createWebHashHistory } from 'vue-router'
import type { RouteRecordRaw } from 'vue-router'
import type { StaffSession } from './api'
import { useSessionStore } from './stores/session'

type Role = StaffSession['roles'][number]
import CashierView from './views/CashierView.vue'
import SignInView from './views/SignInView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a signed-in member of staff. */
    public?: boolean
    /** i18n key of the mode's title. */
    title?: string
    /** Staff roles that may use this mode; absent: anyone signed in. */
    roles?: Role[]
  }
}

/** Where a member of staff lands after signing in: the first mode their roles allow. */
export function homeRoute(roles: readonly Role[]): 'cashier' | 'pickup' | 'manager' {
  if (roles.includes('cashier')) return 'cashier'
  if (roles.includes('pickup')) return 'pickup'
  if (roles.includes('manager')) return 'manager'
  return 'cashier'
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
  { path: '/kiosk', name: 'kiosk', component: () => import('./views/KioskView.vue'), meta: { title: 'modes.kiosk' } },
  {
    path: '/manager',
    name: 'manager',
    component: () => import('./views/ManagerView.vue'),
    meta: { title: 'modes.manager', roles: ['manager'] },
  },
  { path: '/:rest(.*)*', redirect: '/cashier' },
]

/**
 * Hash history: works from file:// inside Electron and over http from the host alike.
 */
export function createAppRouter(pinia: Pinia) {
  const router = createRouter({ history: createWebHashHistory(), routes })

  router.beforeEach(async (to) => {
    const session = useSessionStore(pinia)
    await session.restore()
    const staff = session.staff
    if (to.meta.public) return to.name === 'signin' && staff ? { name: homeRoute(staff.roles) } : true
    if (!staff) return { name: 'signin' }
    const allowed = to.meta.roles === undefined || to.meta.roles.some((role) => staff.roles.includes(role))
    return allowed ? true : { name: homeRoute(staff.roles) }
  })

  return router
}
