/** Longest group title, in characters (Unicode code points). */
export const MAX_GROUP_TITLE_CHARS = 100;

/**
 * Why a group title is refused, or null when it is fine: 1 to 100
 * characters, well-formed (no lone surrogates), no control characters
 * (titles are shown as one line, and logged), not blank. The edge checks
 * it before a frame leaves the socket's process and svc-history when it
 * stores the title, with this one rule.
 */
export function groupTitleProblem(title: string): string | null {
  const chars = [...title].length;
  if (chars === 0 || chars > MAX_GROUP_TITLE_CHARS) {
    return `title must be 1 to ${MAX_GROUP_TITLE_CHARS} characters`;
  }
  if (!title.isWellFormed()) return "title is not valid UTF-8";
  if (/\p{Cc}/u.test(title)) return "title must not hold control characters";
  if (title.trim() === "") return "title must not be blank";
  return null;
}
