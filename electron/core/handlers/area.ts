import type { Method, ParsedArgs, Results } from '../api/contract'

/** The handlers of one area: exactly the methods its contract file declares. */
export type AreaHandlers<R> = { [M in keyof R & Method]: (args: ParsedArgs<M>) => Results[M] | Promise<Results[M]> }
