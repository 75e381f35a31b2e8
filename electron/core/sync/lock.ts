import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * One uploader per till database: two processes pushing the same outbox would race on seq
 * order. A lock file holding the owner's pid; a lock whose process is gone is taken over.
 */
export function acquireUploaderLock(dataDir: string): { release(): void } | null {
  const path = join(dataDir, 'uploader.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          try {
            unlinkSync(path)
          } catch {
            // already gone
          }
        },
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (ownerAlive(path)) return null
      try {
        unlinkSync(path)
      } catch {
        // another process took it over first; the next attempt tells
      }
    }
  }
  return null
}

function ownerAlive(path: string): boolean {
  const pid = Number(readFileSync(path, 'utf8'))
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
