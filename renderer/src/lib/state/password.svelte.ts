// One question at a time for a password; the dialog component renders `current` and answers it.
export interface PasswordAnswer {
  readonly password: string;
  readonly remember: boolean;
}

interface Question {
  readonly label: string;
  readonly message: string;
  /** Why the keychain cannot be used; the dialog then offers no "remember". */
  readonly keychainUnavailable: string | undefined;
  readonly answer: (a: PasswordAnswer | null) => void;
}

export class PasswordPrompter {
  current = $state<Question | null>(null);

  ask(label: string, message: string, keychainUnavailable?: string): Promise<PasswordAnswer | null> {
    this.current?.answer(null);
    return new Promise((resolve) => {
      this.current = {
        label,
        message,
        keychainUnavailable,
        answer: (a) => {
          this.current = null;
          resolve(a);
        },
      };
    });
  }
}
