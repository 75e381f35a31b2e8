/**
 * The manager's catalogue (issue 16, server/manager/catalogue.ts).
 *
 * - `categories.colour`: the till's stripe on a product tile, `#rrggbb` lower case, or NULL.
 * - `products.allergens`: codes of the EU's 14 (domain/allergens.ts ALLERGENS); the CHECK keeps
 *   any other code out, whoever writes (each at most once, in the list's order: the writers
 *   store AllergenList's form).
 * - A barcode is unique within a municipality (a scan must name one product); NULL: none.
 * - Orderable in the webshop stays `orderable_products` (migration 0016), per canteen: the
 *   manager's "orderable" switch writes the rows of the manager's canteens.
 *
 * Future price changes, the simplest design that keeps every reader right:
 * - A change from a future time is a `product_price_history` row with `valid_from` in the
 *   future; `product_prices` keeps today's price. The history is what the server checks sales
 *   against (sync/prices.ts checkPrice), so a sale before the change at the old price is
 *   'current' and after it the new price is, the old one 'stale' within the offline window.
 * - Tills get the pending rows with the product (ProductData.schedule) and switch by themselves
 *   at their clock, offline too.
 * - The server moves a due row into `product_prices` (manager/catalogue.ts promoteDuePrices,
 *   run by a timer to the earliest due change and once a minute) and records the product's
 *   change, so the webshop menu and the tills' data follow. Readers that must be exact to the
 *   second (the manager's own view) compute "now" from the history directly.
 * - `product_price_history_from` finds the rows due and the next one to come fast.
 * - The deletion trigger of 0006 wrote its own "not sold from now()" row on every delete of a
 *   price; a writer that already said since when (sync/prices.ts setPrice, a promoted NULL
 *   change) would get a second row at the database's time. It now writes one only when no
 *   writer did: no NULL row after the deleted price's own `valid_from`.
 */
import { ALLERGENS } from '../../../domain/allergens'

export const name = 'catalogue-manager'

const allergenList = ALLERGENS.map((a) => `'${a}'`).join(', ')

export const sql = /* sql */ `
ALTER TABLE categories ADD COLUMN colour text CHECK (colour ~ '^#[0-9a-f]{6}$');

ALTER TABLE products ADD COLUMN allergens text[] NOT NULL DEFAULT '{}'
  CHECK (allergens <@ ARRAY[${allergenList}]::text[] AND cardinality(allergens) <= ${ALLERGENS.length});

CREATE UNIQUE INDEX products_barcode_unique ON products (municipality_id, barcode) WHERE barcode IS NOT NULL;

CREATE INDEX product_price_history_from ON product_price_history (valid_from);

CREATE OR REPLACE FUNCTION product_price_remember() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO product_price_history (product_id, location_id, valid_from, price)
      SELECT OLD.product_id, OLD.location_id, greatest(now(), OLD.valid_from), NULL
       WHERE EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id)
         AND NOT EXISTS (SELECT 1 FROM product_price_history h
                          WHERE h.product_id = OLD.product_id AND h.location_id = OLD.location_id
                            AND h.valid_from > OLD.valid_from AND h.price IS NULL)
      ON CONFLICT (product_id, location_id, valid_from) DO UPDATE SET price = NULL;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.price IS NOT DISTINCT FROM OLD.price AND NEW.valid_from = OLD.valid_from THEN
    RETURN NEW;
  END IF;
  INSERT INTO product_price_history (product_id, location_id, valid_from, price)
    VALUES (NEW.product_id, NEW.location_id, NEW.valid_from, NEW.price)
    ON CONFLICT (product_id, location_id, valid_from) DO UPDATE SET price = EXCLUDED.price;
  RETURN NEW;
END
$$;
`
