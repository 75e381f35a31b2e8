/** The two IPC channels between the preload and main; nothing else is listened to or sent. */
export const CALL_CHANNEL = 'kantine:call'
export const EVENT_CHANNEL = 'kantine:event'
