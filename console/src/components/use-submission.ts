// A form's submission: the request runs once per submit, the form is busy meanwhile, and a failure
// stays on the form (its field errors beside their fields) until the next submit clears it.
import { useState } from 'preact/hooks';

export interface Submission {
  submit: (event: Event) => Promise<void>;
  busy: boolean;
  error: unknown;
}

export function useSubmission(send: () => Promise<void>): Submission {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await send();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}
