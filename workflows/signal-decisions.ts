// A decision sent as a plain signal (from the Temporal UI or CLI) goes through the same validator as
// its update. A signal cannot answer: a refused one is logged and changes nothing.
import { log } from '@temporalio/workflow';

export function asSignal<T>(name: string, validate: (input: T) => void, apply: (input: T) => unknown): (input: T) => void {
  return (input: T) => {
    const refused = (err: unknown) => log.warn(`${name} signal refused`, { reason: (err as Error).message });
    try {
      validate(input);
      // An approval that reserves spending limits answers later, and may still be refused then.
      const applied = apply(input);
      if (applied instanceof Promise) applied.catch(refused);
    } catch (err) {
      refused(err);
    }
  };
}
