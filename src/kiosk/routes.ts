/**
 * The kiosk's screens, all under /kiosk. The start, PIN and choose-PIN screens need no guardian;
 * everything else does (the router sends a stranger back to the start). Money screens are U2's
 * (src/kiosk/money), loaded lazily like the rest.
 */
import type { RouteRecordRaw } from 'vue-router'

const guardian = { guardian: true }

/** Per-account tasks: /kiosk/a/:id/<task>. */
const accountTasks: RouteRecordRaw[] = [
  { path: 'topup', name: 'kiosk-topup', component: () => import('./money/TopUpView.vue'), meta: { ...guardian, title: 'kiosk.tasks.topup' } },
  { path: 'auto-topup', name: 'kiosk-auto-topup', component: () => import('./money/AutoTopUpView.vue'), meta: { ...guardian, title: 'kiosk.tasks.autoTopup' } },
  { path: 'payout', name: 'kiosk-payout', component: () => import('./money/PayoutView.vue'), meta: { ...guardian, title: 'kiosk.tasks.payout' } },
  { path: 'new-card', name: 'kiosk-new-card', component: () => import('./money/NewCardView.vue'), meta: { ...guardian, title: 'kiosk.tasks.newCard' } },
  { path: 'report', name: 'kiosk-report', component: () => import('./money/ReportView.vue'), meta: { ...guardian, title: 'kiosk.tasks.report' } },
  { path: 'photo', name: 'kiosk-photo', component: () => import('./money/PhotoView.vue'), meta: { ...guardian, title: 'kiosk.tasks.photo' } },
  { path: 'limits', name: 'kiosk-limits', component: () => import('./settings/LimitsView.vue'), meta: { ...guardian, title: 'kiosk.tasks.limits' } },
  { path: 'permissions', name: 'kiosk-permissions', component: () => import('./settings/PermissionsView.vue'), meta: { ...guardian, title: 'kiosk.tasks.permissions' } },
  { path: 'places', name: 'kiosk-places', component: () => import('./settings/PlacesView.vue'), meta: { ...guardian, title: 'kiosk.tasks.places' } },
  { path: 'block', name: 'kiosk-block', component: () => import('./settings/BlockView.vue'), meta: { ...guardian, title: 'kiosk.tasks.block' } },
  { path: 'note', name: 'kiosk-note', component: () => import('./settings/NoteView.vue'), meta: { ...guardian, title: 'kiosk.tasks.note' } },
  { path: 'allergens', name: 'kiosk-allergens', component: () => import('./settings/AllergensView.vue'), meta: { ...guardian, title: 'allergens.kiosk.title' } },
  { path: 'unlink', name: 'kiosk-unlink', component: () => import('./settings/UnlinkView.vue'), meta: { ...guardian, title: 'kiosk.tasks.unlink' } },
]

export const kioskRoutes: RouteRecordRaw = {
  path: '/kiosk',
  component: () => import('../views/KioskView.vue'),
  meta: { kiosk: true, title: 'modes.kiosk' },
  children: [
    { path: '', name: 'kiosk-start', component: () => import('./signin/StartView.vue'), meta: { title: 'kiosk.start.title' } },
    { path: 'pin', name: 'kiosk-pin', component: () => import('./signin/PinSignInView.vue'), meta: { title: 'kiosk.pin.title' } },
    { path: 'choose-pin', name: 'kiosk-choose-pin', component: () => import('./signin/ChoosePinView.vue'), meta: { ...guardian, title: 'kiosk.choosePin.title' } },
    { path: 'accounts', name: 'kiosk-accounts', component: () => import('./AccountsView.vue'), meta: { ...guardian, title: 'kiosk.accounts.title' } },
    { path: 'add', name: 'kiosk-add', component: () => import('./AddAccountView.vue'), meta: { ...guardian, title: 'kiosk.add.title' } },
    { path: 'webshop', name: 'kiosk-webshop', component: () => import('./WebshopView.vue'), meta: { ...guardian, title: 'kiosk.webshop.title' } },
    { path: 'a/:id', children: accountTasks },
  ],
}
