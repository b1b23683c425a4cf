/**
 * Where results go: stdout, either as text for people or as JSON lines
 * (one object per line) for scripts. Diagnostics never come here: they go
 * to stderr (see main.ts), so stdout carries only results.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  /** One result: `value` as a JSON line, or the text `human()` makes. */
  result<T>(value: T, human: (value: T) => string): void {
    this.stdout.write(`${this.json ? JSON.stringify(value) : human(value)}\n`);
  }
}
