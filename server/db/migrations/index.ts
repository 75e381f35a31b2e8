import * as init from './0001_init'
import * as payments from './0002_payments'
import * as pushBatch from './0003_push_batch'
import * as changeRetention from './0004_change_retention'
import * as photoIds from './0005_photo_ids'
import * as tillTrust from './0006_till_trust'
import * as access from './0007_access'
import * as enrolRequest from './0008_enrol_request'
import * as guardian from './0009_guardian'
import * as guardianMoney from './0010_guardian_money'
import * as accountNote from './0011_account_note'
import * as kiosk from './0012_kiosk'
import * as saleVoids from './0013_sale_voids'
import * as cashSales from './0014_cash_sales'
import * as zReports from './0015_z_reports'
import * as orders from './0016_orders'
import * as catalogueManager from './0017_catalogue_manager'
import * as accountAllergens from './0018_account_allergens'
import * as managerSessions from './0019_manager_sessions'
import * as pickupTimes from './0020_pickup_times'
import * as locationCash from './0021_location_cash'
import * as zFloat from './0022_z_float'

export interface Migration {
  version: number
  name: string
  sql: string
}

/** Imported statically (no folder scan at run time): the list is the code's view of the schema. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, ...init },
  { version: 2, ...payments },
  { version: 3, ...pushBatch },
  { version: 4, ...changeRetention },
  { version: 5, ...photoIds },
  { version: 6, ...tillTrust },
  { version: 7, ...access },
  { version: 8, ...enrolRequest },
  { version: 9, ...guardian },
  { version: 10, ...guardianMoney },
  { version: 11, ...accountNote },
  { version: 12, ...kiosk },
  { version: 13, ...saleVoids },
  { version: 14, ...cashSales },
  { version: 15, ...zReports },
  { version: 16, ...orders },
  { version: 17, ...catalogueManager },
  { version: 18, ...accountAllergens },
  { version: 19, ...managerSessions },
  { version: 20, ...pickupTimes },
  { version: 21, ...locationCash },
  { version: 22, ...zFloat },
]
