/**
 * The payment terms a guardian accepts before a top-up, an auto top-up agreement and a webshop
 * order paid by payment card,
 * shown in full at the kiosk (GET /guardian/terms). A request names the version it accepted;
 * a text that changes gets a new version, so an acceptance always names the words it meant.
 */
export const TERMS_VERSION = '2026-11-30'

export interface TermsText {
  da: string
  en: string
}

export interface Terms {
  version: string
  topUp: TermsText
  autoTopUp: TermsText
  /** A webshop order paid by payment card (the kiosk shows it instead of the top-up terms). */
  order: TermsText
}

const TOP_UP: TermsText = {
  da: [
    'Betingelser for indbetaling på kantinekort',
    '',
    '1. Indbetalingen sker med betalingskort gennem kommunens betalingsudbyder. Kantine ser og gemmer aldrig kortnummeret.',
    '2. Der indbetales hele kroner, mindst 20 kr. og højst 2.000 kr. ad gangen. Beløbet står på kantinekortet, når betalingsudbyderen har gennemført betalingen; det tager normalt få sekunder.',
    '3. Et spærret kantinekort kan ikke modtage indbetalinger. Ophæv spærringen først.',
    '4. Kvitteringen sendes til den e-mailadresse, du oplyser. Adressen bruges kun til kvitteringen.',
    '5. Indestående kan udbetales til din NemKonto eller til en bankkonto (Udbetaling). Der er ingen rente på indestående.',
    '6. Kommunen er dataansvarlig. Indbetalingen, beløbet og tidspunktet gemmes i kortets kontoudtog.',
  ].join('\n'),
  en: [
    'Terms for topping up a canteen card',
    '',
    '1. You pay by payment card through the municipality’s payment provider. Kantine never sees or keeps the card number.',
    '2. Top-ups are whole kroner, at least 20 kr and at most 2,000 kr at a time. The amount is on the canteen card once the payment provider has completed the payment, usually within seconds.',
    '3. A blocked canteen card takes no top-ups. Unblock it first.',
    '4. The receipt goes to the e-mail address you give. The address is used for the receipt only.',
    '5. The balance can be paid out to your NemKonto or to a bank account (Payout). No interest is paid on the balance.',
    '6. The municipality is the data controller. The top-up, its amount and its time are kept in the card’s statement.',
  ].join('\n'),
}

const AUTO_TOP_UP: TermsText = {
  da: [
    'Betingelser for automatisk optankning',
    '',
    '1. Du gemmer et betalingskort hos kommunens betalingsudbyder og giver lov til, at det trækkes uden din medvirken (en forhåndsgodkendt betaling).',
    '2. Når kortet bruges ved en kasse i kantinen, og saldoen før købet er under 50 kr., trækkes det aftalte beløb (hele kroner, 50–1.000 kr.) og sættes ind på kantinekortet. Det sker kun ved køb ved en kasse.',
    '3. Optankningen mislykkes, hvis betalingskortet er udløbet, spærret eller uden dækning, eller hvis kantinekortet er spærret. Aftalen stopper da; du kan se hvorfor, og du skal annullere aftalen og oprette en ny.',
    '4. Du kan annullere aftalen når som helst; der trækkes ikke mere fra det tidspunkt.',
    '5. Hver optankning står i kortets kontoudtog.',
  ].join('\n'),
  en: [
    'Terms for automatic top-up',
    '',
    '1. You save a payment card with the municipality’s payment provider and allow it to be charged without you taking part (a pre-authorised payment).',
    '2. When the card buys at a till in the canteen and the balance before the purchase is under 50 kr, the agreed amount (whole kroner, 50–1,000 kr) is charged and put on the canteen card. This happens on purchases at a till only.',
    '3. A top-up fails when the payment card is expired, blocked or not covered, or when the canteen card is blocked. The agreement then stops; you can see why, and you cancel it and make a new one.',
    '4. You can cancel the agreement at any time; nothing is charged after that.',
    '5. Every top-up is in the card’s statement.',
  ].join('\n'),
}

const ORDER: TermsText = {
  da: [
    'Betingelser for webshop-bestillinger betalt med betalingskort',
    '',
    '1. Betalingen sker med betalingskort gennem kommunens betalingsudbyder. Kantine ser og gemmer aldrig kortnummeret.',
    '2. Beløbet reserveres på kortet, når du bestiller, og trækkes ved bestillingsfristen for afhentningsdagen. Indtil da står ordren som "Afventer betaling".',
    '3. Du kan annullere ordren indtil fristen; reservationen frigives da, eller et trukket beløb betales tilbage til kortet.',
    '4. Kan beløbet ikke trækkes (kortet er udløbet, spærret eller uden dækning), står ordren som "Betaling fejlede" og udleveres ikke.',
    '5. Varer, der ikke hentes, betales tilbage til kantinekortet, hvis kantinen har valgt det; ellers ikke.',
    '6. Kommunen er dataansvarlig. Ordren, beløbet og tidspunkterne gemmes i kortets kontoudtog.',
  ].join('\n'),
  en: [
    'Terms for webshop orders paid by payment card',
    '',
    '1. You pay by payment card through the municipality’s payment provider. Kantine never sees or keeps the card number.',
    '2. The amount is reserved on the card when you order and charged at the order deadline of the pickup day. Until then the order shows as "Awaiting payment".',
    '3. You can cancel the order until the deadline; the reservation is then released, or an amount already charged is paid back to the card.',
    '4. If the amount cannot be charged (the card is expired, blocked or not covered), the order shows as "Payment failed" and is not handed out.',
    '5. Items not picked up are paid back to the canteen card if the canteen has chosen so; otherwise not.',
    '6. The municipality is the data controller. The order, its amount and its times are kept in the card’s statement.',
  ].join('\n'),
}

export const TERMS: Terms = { version: TERMS_VERSION, topUp: TOP_UP, autoTopUp: AUTO_TOP_UP, order: ORDER }
