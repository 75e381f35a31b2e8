/**
 * The allergens a parent marks on the child's account (the EU's 14, domain/allergens.ts): the
 * till warns and needs the cashier's confirmation before selling a product with one of them, and
 * the webshop does not offer such a product to the child. They travel to tills in the account's
 * change row (AccountData.allergens). '{}': none. The CHECK holds the set to the 14 codes, so a
 * code the till and webshop would not recognise can never be stored.
 */
export const name = 'account-allergens'

export const sql = /* sql */ `
ALTER TABLE accounts ADD COLUMN allergens text[] NOT NULL DEFAULT '{}'
  CHECK (allergens <@ ARRAY['gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts',
                            'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs']::text[]
         AND array_position(allergens, NULL) IS NULL);
`
