const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\u001b[2K';

/**
 * One line of progress, redrawn in place. It draws only on a terminal: piped or logged output gets
 * no control characters.
 */
export class Spinner {
  private frame = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  update(text: string): void {
    if (!this.enabled) return;
    this.write(`${CLEAR_LINE}${FRAMES[this.frame % FRAMES.length]} ${text}`);
    this.frame += 1;
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.write(CLEAR_LINE);
    this.shown = false;
  }
}
