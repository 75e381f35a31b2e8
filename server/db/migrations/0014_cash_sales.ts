/**
 * Cash sales (issue 14, "Guests pay cash where the canteen allows it"). A sale says how it was
 * paid: 'card' (a canteen card: account and card number, money through the ledger) or 'cash'
 * (a guest at the counter: no account, no card, no ledger entry; the money is in the drawer and
 * counts in the till's Z report by `payment`). Existing sales were all card sales.
 *
 * The CHECK is the invariant the applier relies on: a card sale always names its account and
 * card, a cash sale never does. Nothing else may reach the table.
 */
export const name = 'cash-sales'

export const sql = /* sql */ `
ALTER TABLE sales ADD COLUMN payment text NOT NULL DEFAULT 'card' CHECK (payment IN ('card', 'cash'));
ALTER TABLE sales ALTER COLUMN account_id DROP NOT NULL;
ALTER TABLE sales ALTER COLUMN card_number DROP NOT NULL;
ALTER TABLE sales ADD CONSTRAINT sales_payment_parties CHECK (
  (payment = 'card' AND account_id IS NOT NULL AND card_number IS NOT NULL)
  OR (payment = 'cash' AND account_id IS NULL AND card_number IS NULL)
);
`
