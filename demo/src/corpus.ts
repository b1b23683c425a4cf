// The conversation corpus: IRC quotes that Debian's `fortunes` package ships
// (fortune-mod's cookie files, BSD licence). Chiefly `knghtbrd`, Joseph
// Carter's collection from #debian and other channels, plus the IRC quotes
// in `debian` and `linux`: real people talking, one `<nick> text` line per
// message, a fortune (between `%` lines) per scene.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's `fortunes` package puts its cookie files. */
export const DEFAULT_CORPUS_DIR = "/usr/share/games/fortunes";
/** The cookie files that hold IRC logs. */
export const CORPUS_FILES = ["knghtbrd", "debian", "linux"] as const;

/** One short message of the corpus as someone said it. */
export interface Utterance {
  nick: string;
  text: string;
}

/** One quote: a few lines between people, in order. */
export interface Scene {
  source: string;
  lines: Utterance[];
}

/** What the planning numbers call a text message: about 100 bytes. */
const MAX_MESSAGE_CHARS = 160;
const NICK = String.raw`[A-Za-z0-9_\-\[\]\\^{}|\`.@+~]{1,32}`;
const SAID = new RegExp(String.raw`^\s*<(${NICK})>\s+(\S.*)$`);
const ACTION = new RegExp(String.raw`^\s*\*\s(${NICK})\s+(\S.*)$`);

export class CorpusMissingError extends Error {
  constructor(dir: string, options?: ErrorOptions) {
    super(
      `no IRC corpus in ${dir}: install Debian's fortunes package (apt-get install fortunes) or pass --corpus DIR`,
      options,
    );
    this.name = "CorpusMissingError";
  }
}

/** Reads every scene of the IRC cookie files in `dir`. */
export function loadScenes(dir = DEFAULT_CORPUS_DIR): Scene[] {
  const files = CORPUS_FILES.filter((f) => existsSync(join(dir, f)));
  if (files.length === 0) throw new CorpusMissingError(dir);
  const scenes = files.flatMap((f) => parseCookies(f, readFileSync(join(dir, f), "utf8")));
  if (scenes.length === 0) throw new CorpusMissingError(dir);
  return scenes;
}

/** Splits a cookie file into fortunes and keeps those with IRC lines. */
export function parseCookies(source: string, text: string): Scene[] {
  const scenes: Scene[] = [];
  for (const fortune of text.split(/^%$/m)) {
    const lines = parseFortune(fortune).flatMap(({ nick, text }) =>
      splitShort(text).map((piece) => ({ nick, text: piece })),
    );
    if (lines.length > 0) scenes.push({ source, lines });
  }
  return scenes;
}

/**
 * The IRC lines of one fortune. An indented line continues the line above
 * (the quotes wrap at 80 columns); `-- attribution` lines and narration
 * between the IRC lines are left out. `* nick waves` becomes `/me waves`.
 */
function parseFortune(fortune: string): Utterance[] {
  const out: Utterance[] = [];
  let current: Utterance | undefined;
  for (const raw of fortune.split("\n")) {
    const said = SAID.exec(raw);
    const action = said ? null : ACTION.exec(raw);
    if (said || action) {
      const [, nick, text] = (said ?? action)!;
      current = { nick: nick!, text: action ? `/me ${text!}` : text! };
      out.push(current);
    } else if (current && /^\s+\S/.test(raw) && !/^\s*--/.test(raw)) {
      current.text += ` ${raw.trim()}`;
    } else {
      current = undefined;
    }
  }
  for (const u of out) u.text = u.text.replace(/\s+/g, " ").trim();
  return out.filter((u) => u.text.length > 0 && !u.text.includes("\uFFFD"));
}

/** Cuts a long line into messages at sentence ends, else at spaces. */
export function splitShort(text: string, max = MAX_MESSAGE_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const head = rest.slice(0, max);
    const sentence = Math.max(
      head.lastIndexOf(". "),
      head.lastIndexOf("! "),
      head.lastIndexOf("? "),
    );
    const space = head.lastIndexOf(" ");
    const cut = sentence > max / 3 ? sentence + 1 : space > max / 3 ? space : max;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}
