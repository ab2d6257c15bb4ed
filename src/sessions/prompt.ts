/**
 * Which user line is a session's first prompt, and how it is shown: the rules of Claude
 * Code's session listing (SDK 0.3.x), rewritten. Kept apart from the byte scanning in
 * extract.ts because these work on parsed lines.
 */

/** Lines that are wrappers, not typed prompts: an XML-ish tag first, or an interruption note. */
const WRAPPER_RE = /^(?:\s*<[a-z][\w-]*[\s>]|\[Request interrupted by user[^\]]*\])/;
const COMMAND_NAME_RE = /<command-name>(.*?)<\/command-name>/;
const BASH_INPUT_RE = /<bash-input>([\s\S]*?)<\/bash-input>/;
const PASTE_OPEN = '<pasted_content id="';

/** The cut of a first prompt, in UTF-16 units, before the ellipsis is added. */
export const PROMPT_CUT = 200;

export interface PromptState {
  /** The first slash command seen (`/review-file`), shown when no typed prompt follows. */
  commandFallback: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function isHex4(id: string): boolean {
  return /^[0-9a-f]{4}$/.test(id);
}

/**
 * Replaces `<pasted_content id="abcd">\n...\n</pasted_content id="abcd">` blocks by
 * their body, dropping up to two newlines around each, as Claude Code shows them.
 */
export function expandPastedContent(text: string): string {
  if (!text.includes(PASTE_OPEN)) return text;
  const parts: string[] = [];
  let plain = 0;
  let from = 0;
  let blocks = 0;
  for (;;) {
    const open = text.indexOf(PASTE_OPEN, from);
    if (open === -1) break;
    const idStart = open + PASTE_OPEN.length;
    const id = text.slice(idStart, idStart + 4);
    if (!isHex4(id) || !text.startsWith('">\n', idStart + 4)) {
      from = idStart;
      continue;
    }
    const bodyStart = idStart + 4 + 3;
    const close = `</pasted_content id="${id}">`;
    const closeAt = text.indexOf(`\n${close}`, bodyStart - 1) + 1;
    if (closeAt === 0) break;
    let cut = open;
    for (let k = 0; k < 2 && cut > plain && text[cut - 1] === '\n'; k++) cut--;
    if (cut > plain) parts.push(text.slice(plain, cut));
    plain = closeAt + close.length;
    for (let k = 0; k < 2 && text[plain] === '\n'; k++) plain++;
    parts.push(text.slice(bodyStart, closeAt - 1));
    blocks++;
    from = plain;
  }
  if (blocks === 0) return text;
  if (plain < text.length) parts.push(text.slice(plain));
  return parts.join('');
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair. */
export function cutUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * The prompt a parsed transcript line shows, or undefined when the line is not a typed
 * prompt (not a user line, meta, a compact summary, a tool result, only wrappers). A
 * slash command is remembered in `state` instead.
 */
export function promptOfLine(line: unknown, state: PromptState): string | undefined {
  if (!isObject(line) || line.type !== 'user') return undefined;
  if (line.isMeta === true || line.isCompactSummary === true) return undefined;
  const message = line.message;
  if (!message) return undefined;
  const content = (message as Json).content;
  const texts: string[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === 'tool_result') return undefined;
      if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    }
  }
  for (const text of texts) {
    let shown = expandPastedContent(text).replaceAll('\n', ' ').trim();
    if (!shown) continue;
    const command = COMMAND_NAME_RE.exec(shown);
    if (command?.[1] !== undefined) {
      if (!state.commandFallback) state.commandFallback = command[1];
      continue;
    }
    const bash = BASH_INPUT_RE.exec(shown);
    if (bash?.[1] !== undefined) return `! ${bash[1].trim()}`;
    if (WRAPPER_RE.test(shown)) continue;
    if (shown.length > PROMPT_CUT) shown = `${cutUnits(shown, PROMPT_CUT).trim()}\u2026`;
    return shown;
  }
  return undefined;
}

/**
 * The time of a line that is a prompt typed by a person (a user line or a queued
 * command), or undefined. Used to tell whether a session was used after it was archived.
 */
export function humanPromptTime(line: unknown): number | undefined {
  if (!isObject(line)) return undefined;
  const notTrue = (v: unknown) => v === undefined || v === false;
  let content: unknown;
  let origin: unknown;
  if (line.type === 'user') {
    const message = line.message;
    if (!isObject(message) || Array.isArray(message)) return undefined;
    for (const flag of [
      'isCompactSummary',
      'isSidechain',
      'isVirtual',
      'isVisibleInTranscriptOnly',
      'isMeta',
      'textNotTyped',
      'handedOff',
      'queueSkipAttachments',
    ]) {
      if (!notTrue(line[flag])) return undefined;
    }
    if (line.promptSource !== undefined && typeof line.promptSource !== 'string') return undefined;
    if (line.persist !== undefined || line.wakeupSource !== undefined || line.scheduledTaskId !== undefined) {
      return undefined;
    }
    if (line.toolUseResult !== undefined && line.toolUseResult !== null) return undefined;
    if (line.turnOrigin !== undefined && !['human', 'sdk', 'unknown'].includes(line.turnOrigin as string)) {
      return undefined;
    }
    content = message.content;
    origin = line.origin;
  } else if (line.type === 'attachment') {
    if (!notTrue(line.isSidechain)) return undefined;
    const attachment = line.attachment;
    if (!isObject(attachment) || Array.isArray(attachment) || attachment.type !== 'queued_command') return undefined;
    if (!notTrue(attachment.isMeta)) return undefined;
    if (
      attachment.commandMode !== undefined &&
      attachment.commandMode !== 'prompt' &&
      attachment.commandMode !== 'bash'
    ) {
      return undefined;
    }
    content = attachment.prompt;
    origin = attachment.origin;
  } else {
    return undefined;
  }
  if (typeof line.timestamp !== 'string') return undefined;
  if (origin !== undefined) {
    if (!isObject(origin) || Array.isArray(origin) || typeof origin.kind !== 'string') return undefined;
    if (origin.kind !== 'human') return undefined;
  }
  const blocks: Json[] =
    typeof content === 'string'
      ? [{ type: 'text', text: content }]
      : Array.isArray(content) && content.every((b) => isObject(b) && !Array.isArray(b) && typeof b.type === 'string')
        ? (content as Json[])
        : [];
  if (blocks.some((b) => b.type === 'tool_result')) return undefined;
  const texts = blocks.map((b) => (typeof b.text === 'string' ? b.text.trimStart() : ''));
  const typed =
    origin !== undefined
      ? texts.some((t) => t !== '') && !texts.some((t) => t.startsWith('<command-name>'))
      : promptOfLine({ type: 'user', message: { content } }, { commandFallback: '' }) !== undefined ||
        texts.some((t) => t.startsWith('<command-message>'));
  const media = blocks.some((b) => b.type === 'image' || b.type === 'document');
  const time = Date.parse(line.timestamp);
  return (typed || media) && !Number.isNaN(time) ? time : undefined;
}
