/**
 * A terminal is a till or a parent kiosk (settings 'terminal_kind'). Every data folder enrolled
 * before kiosks existed is a till's, and says so from now on: it never opens as a kiosk (a kiosk
 * holds no pupil data, a till's folder holds plenty). A folder not enrolled yet gets its kind at
 * its first start.
 */
export default /* sql */ `
INSERT INTO settings (key, value)
SELECT 'terminal_kind', 'till' WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'device_token')
ON CONFLICT (key) DO NOTHING;
`
