/**
 * Text rules shared by every edge (REST DTOs, events, workflow update validators): no NUL and no
 * control characters (rule 15). Free text (a reason, a note) may hold line breaks and tabs;
 * ids and names may not. Pure: safe in workflow code.
 */

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Whether text holds NUL or another C0 control character or DEL. Free text (`multiline`, the
 * default) may hold tab, line feed and carriage return; a single line (ids, names) may not.
 */
export function hasControlChars(text: string, { multiline = true } = {}): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) continue;
    if (multiline && (c === TAB || c === LF || c === CR)) continue;
    return true;
  }
  return false;
}

export const CONTROL_CHARS_MESSAGE = 'must not contain NUL or control characters';

/** Longest id an event or message may carry. */
export const MAX_ID_LENGTH = 200;
