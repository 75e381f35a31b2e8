/**
 * One question at a time for ConfirmDialog: `ask` opens it and resolves with the answer.
 */
import { ref } from 'vue'

export interface Question {
  title: string
  text: string
  yes: string
}

export function useConfirm() {
  const question = ref<Question | null>(null)
  let resolve: ((yes: boolean) => void) | null = null

  function ask(q: Question): Promise<boolean> {
    resolve?.(false)
    question.value = q
    return new Promise((r) => (resolve = r))
  }

  function answer(yes: boolean): void {
    question.value = null
    const r = resolve
    resolve = null
    r?.(yes)
  }

  return { question, ask, answer }
}
