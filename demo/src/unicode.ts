// Emoji and other Unicode mixed into the corpus lines, from emojibase-data
// (MIT; built from Unicode's emoji data files and CLDR annotations): every
// fully-qualified emoji with its skin-tone variants, ZWJ sequences, flags
// (tag sequences included) and keycaps, the emoticon each stands for, and
// its name in other scripts (Devanagari, Thai, CJK, Cyrillic, ...).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Random } from "./random.js";

interface Emoji {
  emoji: string;
  hexcode: string;
  emoticon?: string | string[];
  skins?: Emoji[];
}

interface Localized {
  hexcode: string;
  label: string;
  unicode: string;
}

/** Locales of emojibase-data whose names are in a script other than Latin. */
const SCRIPTS = ["ja", "zh", "ko", "ru", "uk", "hi", "bn", "th", "vi"] as const;

const require = createRequire(import.meta.url);
const readJson = <T>(path: string): T =>
  JSON.parse(readFileSync(require.resolve(`emojibase-data/${path}`), "utf8")) as T;

/** Turns plain corpus text into chat text as a phone would send it. */
export class UnicodeMixer {
  private readonly emoji: string[];
  private readonly emoticons: [RegExp, string][];
  private readonly names: Map<string, Localized[]>;

  constructor() {
    const data = readJson<Emoji[]>("en/data.json");
    this.emoji = data.flatMap((e) => [e.emoji, ...(e.skins ?? []).map((s) => s.emoji)]);
    this.emoticons = data.flatMap((e) =>
      [e.emoticon ?? []].flat().map((text): [RegExp, string] => [emoticonPattern(text), e.emoji]),
    );
    this.names = new Map(SCRIPTS.map((l) => [l, readJson<Localized[]>(`${l}/compact.json`)]));
  }

  /** How many emoji (sequences included) the mixer draws from. */
  get emojiCount(): number {
    return this.emoji.length;
  }

  /**
   * Half the time the line's emoticons become emoji; a quarter of lines get
   * one to three emoji more; one in twenty an emoji named in another script.
   */
  mix(text: string, random: Random): string {
    let out = text;
    if (random.chance(0.5)) {
      for (const [pattern, emoji] of this.emoticons) out = out.replace(pattern, `$1${emoji}`);
    }
    if (random.chance(0.25)) {
      const extra = Array.from({ length: random.int(1, 3) }, () => random.pick(this.emoji));
      out = `${out} ${extra.join("")}`;
    }
    if (random.chance(0.05)) {
      const named = random.pick(this.names.get(random.pick(SCRIPTS))!);
      out = `${out} ${named.unicode} (${named.label})`;
    }
    return out;
  }
}

/** An emoticon standing alone: after a space or the start, before a space or the end. */
function emoticonPattern(text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|\\s)${escaped}(?=\\s|$)`, "g");
}
