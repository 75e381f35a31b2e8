/**
 * The server trusts nothing a till sends (issue 12):
 * - Price history: every price a product had at a canteen, from when. A till that sold offline
 *   at yesterday's price was honest; a price no till could have held is rejected
 *   (sync/appliers/sale-record.ts). `product_prices` stays the catalogue as it is now; triggers
 *   write the history from it, so no writer can forget to. A writer says since when a price
 *   holds in `valid_from` (the server's injected clock); one that does not gets the
 *   transaction's time. The prices already there have held "since always" (-infinity): nothing
 *   older is known, and honest sales made before this migration must still be accepted.
 * - A replay must be the same request: each stored answer keeps a hash of what it answered
 *   (NULL for answers stored before this migration: those are answered as before).
 * - The same mutation id under another seq is found by its id.
 */
export const name = 'till-trust'

export const sql = /* sql */ `
ALTER TABLE product_prices ADD COLUMN valid_from timestamptz NOT NULL DEFAULT '-infinity';

-- One row per price a product had at a canteen; price NULL: not sold there from valid_from on.
CREATE TABLE product_price_history (
  product_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  location_id text NOT NULL REFERENCES locations (id),
  valid_from timestamptz NOT NULL,
  price bigint CHECK (price >= 0),
  PRIMARY KEY (product_id, location_id, valid_from)
);
INSERT INTO product_price_history (product_id, location_id, valid_from, price)
  SELECT product_id, location_id, valid_from, price FROM product_prices;

-- A price changed without saying since when holds from now on, not from its old valid_from.
CREATE FUNCTION product_price_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.price IS DISTINCT FROM OLD.price AND NEW.valid_from = OLD.valid_from THEN
    NEW.valid_from := now();
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER product_prices_since BEFORE UPDATE ON product_prices
  FOR EACH ROW EXECUTE FUNCTION product_price_since();

CREATE FUNCTION product_price_remember() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO product_price_history (product_id, location_id, valid_from, price)
      SELECT OLD.product_id, OLD.location_id, greatest(now(), OLD.valid_from), NULL
       WHERE EXISTS (SELECT 1 FROM products WHERE id = OLD.product_id)
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
CREATE TRIGGER product_prices_history AFTER INSERT OR UPDATE OR DELETE ON product_prices
  FOR EACH ROW EXECUTE FUNCTION product_price_remember();

ALTER TABLE mutation_results ADD COLUMN payload_hash text CHECK (payload_hash ~ '^[0-9a-f]{64}$');
CREATE INDEX mutation_results_mutation ON mutation_results (mutation_id);
`
