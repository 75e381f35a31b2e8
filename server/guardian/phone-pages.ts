/**
 * The phone's side of the sign-in as small server-rendered pages, Danish first and English
 * beneath, for a parent who scanned the kiosk's QR code. No script, a strict CSP: the pages only
 * show text and post forms to this server. The same routes answer JSON to a client that does not
 * ask for HTML (tests, a future portal).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'

export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept
  return typeof accept === 'string' && accept.includes('text/html')
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A Danish line with its English translation. */
export interface Bilingual {
  da: string
  en: string
}

const say = (t: Bilingual) => `${escapeHtml(t.da)}<br><span lang="en" class="en">${escapeHtml(t.en)}</span>`

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export function sendPage(reply: FastifyReply, status: number, title: Bilingual, body: string): FastifyReply {
  const html = `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title.da)} / ${escapeHtml(title.en)}</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111;background:#fff}
.en{color:#333}button,input{font:inherit;min-height:48px;padding:.5rem 1rem;margin:.25rem 0}label{display:block;margin-top:1rem}</style>
</head><body><main><h1>${say(title)}</h1>${body}</main></body></html>`
  return reply.code(status).header('content-security-policy', CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html)
}

export const paragraph = (t: Bilingual) => `<p>${say(t)}</p>`

export function codeForm(action: string, error: Bilingual | null): string {
  return `${error ? `<p role="alert">${say(error)}</p>` : ''}<form method="get" action="${escapeHtml(action)}">
<label for="user_code">${say({ da: 'Koden fra kiosken', en: 'The code shown at the kiosk' })}</label>
<input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" required maxlength="20">
<button type="submit">${say({ da: 'Fortsæt', en: 'Continue' })}</button></form>`
}

export function simulatedSignInForm(action: string, state: string, nonce: string, guardians: { id: string; name: string; municipality: string }[]): string {
  const hidden = `<input type="hidden" name="state" value="${escapeHtml(state)}">`
  const choices = guardians
    .map(
      (g) => `<form method="post" action="${escapeHtml(action)}">${hidden}<input type="hidden" name="nonce" value="${escapeHtml(nonce)}">
<input type="hidden" name="guardianId" value="${escapeHtml(g.id)}"><button type="submit">${escapeHtml(g.name)} (${escapeHtml(g.municipality)})</button></form>`,
    )
    .join('\n')
  return `${paragraph({ da: 'SIMULERET MitID: vælg hvem du logger ind som (kun demo).', en: 'SIMULATED MitID: choose who you sign in as (demo only).' })}
${choices}
<form method="post" action="${escapeHtml(action)}">${hidden}<input type="hidden" name="deny" value="true"><button type="submit">${say({ da: 'Afvis', en: 'Decline' })}</button></form>`
}

/**
 * Before the sign-in: which kiosk the parent is about to let in, and where it stands. A code read
 * off someone else's screen (or sent by a stranger) names a kiosk the parent is not standing at.
 */
export function kioskConfirmation(kiosk: { name: string; location: string }, authorizationUrl: string): string {
  return `${paragraph({ da: `Du logger ind på kiosken »${kiosk.name}« på ${kiosk.location}.`, en: `You are signing in at the kiosk “${kiosk.name}” at ${kiosk.location}.` })}
${paragraph({ da: 'Står du ikke ved den kiosk, så luk siden.', en: 'If you are not standing at that kiosk, close this page.' })}
<p><a href="${escapeHtml(authorizationUrl)}">${say({ da: 'Fortsæt til MitID', en: 'Continue to MitID' })}</a></p>`
}
