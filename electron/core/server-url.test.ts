import { describe, expect, it } from 'vitest'
import { checkServerUrl } from './server-url'

describe('the central server a till may be pointed at', () => {
  it('accepts any https server, without its trailing slash', () => {
    expect(checkServerUrl('https://kantine.kommune.dk/')).toEqual({ ok: true, url: 'https://kantine.kommune.dk' })
    expect(checkServerUrl('https://kantine.kommune.dk:8443/api//')).toEqual({ ok: true, url: 'https://kantine.kommune.dk:8443/api' })
    expect(checkServerUrl('https://10.0.0.5')).toEqual({ ok: true, url: 'https://10.0.0.5' })
  })

  it('accepts plain http only to this machine: the demo server and the tests', () => {
    expect(checkServerUrl('http://127.0.0.1:4800')).toEqual({ ok: true, url: 'http://127.0.0.1:4800' })
    expect(checkServerUrl('http://127.42.0.9:4800/')).toEqual({ ok: true, url: 'http://127.42.0.9:4800' })
    expect(checkServerUrl('http://localhost:4800')).toEqual({ ok: true, url: 'http://localhost:4800' })
    expect(checkServerUrl('http://LOCALHOST:4800')).toEqual({ ok: true, url: 'http://localhost:4800' })
    expect(checkServerUrl('http://[::1]:4800')).toEqual({ ok: true, url: 'http://[::1]:4800' })
    expect(checkServerUrl('http://[0:0:0:0:0:0:0:1]:4800')).toEqual({ ok: true, url: 'http://[::1]:4800' })
    expect(checkServerUrl('http://127.1:4800')).toEqual({ ok: true, url: 'http://127.0.0.1:4800' }) // short form of 127.0.0.1
  })

  it('refuses http to any other host, so the device token never crosses a network in clear', () => {
    for (const url of [
      'http://kantine.kommune.dk',
      'http://10.0.0.5:4800',
      'http://192.168.1.10',
      'http://0.0.0.0:4800',
      'http://128.0.0.1',
      'http://[::2]',
      'http://localhost.evil.dk',
      'http://127.0.0.1.nip.io',
      'http://[::ffff:10.0.0.1]',
    ]) {
      expect(checkServerUrl(url), url).toEqual({ ok: false, reason: 'http-not-loopback' })
    }
  })

  it('refuses what is not an http(s) address or carries a password', () => {
    expect(checkServerUrl('not a url')).toEqual({ ok: false, reason: 'not-a-url' })
    expect(checkServerUrl('')).toEqual({ ok: false, reason: 'not-a-url' })
    expect(checkServerUrl('ftp://kantine.kommune.dk')).toEqual({ ok: false, reason: 'not-http' })
    expect(checkServerUrl('file:///etc/passwd')).toEqual({ ok: false, reason: 'not-http' })
    expect(checkServerUrl('ws://127.0.0.1')).toEqual({ ok: false, reason: 'not-http' })
    expect(checkServerUrl('https://u:p@kantine.kommune.dk')).toEqual({ ok: false, reason: 'credentials' })
    expect(checkServerUrl('http://u@127.0.0.1')).toEqual({ ok: false, reason: 'credentials' })
  })
})
