/**
 * Manager mode's screens under /manager/* (the start is /manager itself, the day's X/Z report
 * /manager/day). Each is for the roles given (the router's guard sends anyone else to their
 * own mode); the server checks the manager again on every request behind them.
 */
import type { RouteRecordRaw } from 'vue-router'
import type { StaffSession } from '../../api'

type Role = StaffSession['roles'][number]

export function managerRoutes(roles: Role[]): RouteRecordRaw[] {
  return [
    { path: '/manager/products', name: 'manager-products', component: () => import('./ProductsView.vue'), meta: { title: 'manager.products.title', roles } },
    { path: '/manager/categories', name: 'manager-categories', component: () => import('./CategoriesView.vue'), meta: { title: 'manager.categories.title', roles } },
    { path: '/manager/staff', name: 'manager-staff', component: () => import('./StaffView.vue'), meta: { title: 'manager.staff.title', roles } },
    { path: '/manager/till', name: 'manager-till', component: () => import('./TillSettingsView.vue'), meta: { title: 'manager.till.title', roles } },
    { path: '/manager/import', name: 'manager-import', component: () => import('./ImportExportView.vue'), meta: { title: 'manager.import.title', roles } },
    { path: '/manager/reports', name: 'manager-reports', component: () => import('./ReportsView.vue'), meta: { title: 'manager.reports.title', roles } },
    { path: '/manager/uncollected', name: 'manager-uncollected', component: () => import('./UncollectedView.vue'), meta: { title: 'manager.uncollected.title', roles } },
    { path: '/manager/z-reports', name: 'manager-z-reports', component: () => import('./ZReportsView.vue'), meta: { title: 'manager.zReports.title', roles } },
  ]
}
