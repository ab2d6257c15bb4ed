/**
 * Generates transcripts in the shapes Claude Code 2.1.x writes (queue-operation first,
 * user/assistant turns with the envelope fields, attachments, last-prompt and title
 * lines re-appended at the end). Deterministic for a given seed. Used by the demo, the
 * tests and the benchmarks; it never copies the fixture.
 */

export interface TranscriptSpec {
  sessionId: string;
  cwd: string;
  gitBranch?: string;
  /** The prompts typed, in order; each gets a canned answer. */
  prompts: readonly string[];
  /** A `/rename` or `-n` title. */
  customTitle?: string;
  /** An AI title (interactive sessions). */
  aiTitle?: string;
  /** A tag set through the SDK. */
  tag?: string;
  /** `cli` for the interactive TUI, `sdk-cli` for `-p` and the SDK. @default 'cli' */
  entrypoint?: 'cli' | 'sdk-cli';
  /** Time of the first line, ms since the epoch. */
  startMs: number;
  /** Bytes of attachment padding per turn, to reach realistic sizes. @default 2000 */
  paddingPerTurn?: number;
  /** Seed for the uuids. @default derived from the session id */
  seed?: number;
  /**
   * The uuid this run continues from, for a resumed session appended to an earlier run's
   * text: the earlier run's leaf ({@link transcriptLeafUuid}). Give a different `seed`
   * too, or the new lines repeat the earlier run's uuids.
   * @default null (a new conversation)
   */
  parentUuid?: string | null;
  version?: string;
}

/** A small, fast, seedable PRNG (mulberry32). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped uuid from the PRNG. */
export function randomUuid(rng: () => number): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () =>
      Math.floor(rng() * 16)
        .toString(16)
        .toLowerCase(),
    ).join('');
  const variant = '89ab'[Math.floor(rng() * 4)] ?? '8';
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const FILLER =
  'The environment snapshot and the tool listing repeat on every turn, which is why real transcripts are large. ';

/** Returns the transcript as JSONL text (each line ends with a newline). */
export function generateTranscript(spec: TranscriptSpec): string {
  const rng = createRng(spec.seed ?? seedOf(spec.sessionId));
  const entrypoint = spec.entrypoint ?? 'cli';
  const version = spec.version ?? '2.1.332';
  const gitBranch = spec.gitBranch ?? 'HEAD';
  const padding = spec.paddingPerTurn ?? 2000;
  const lines: unknown[] = [];
  let t = spec.startMs;
  const ts = () => {
    t += 1 + Math.floor(rng() * 40);
    return new Date(t).toISOString();
  };
  const envelope = { userType: 'external', entrypoint, cwd: spec.cwd, sessionId: spec.sessionId, version, gitBranch };

  if (spec.customTitle !== undefined) {
    lines.push({ type: 'custom-title', customTitle: spec.customTitle, sessionId: spec.sessionId });
    lines.push({ type: 'agent-name', agentName: spec.customTitle, sessionId: spec.sessionId });
  }
  let parent: string | null = spec.parentUuid ?? null;
  let leaf = '';
  spec.prompts.forEach((prompt, index) => {
    lines.push({
      type: 'queue-operation',
      operation: 'enqueue',
      timestamp: ts(),
      sessionId: spec.sessionId,
      content: prompt,
    });
    lines.push({ type: 'queue-operation', operation: 'dequeue', timestamp: ts(), sessionId: spec.sessionId });
    const userUuid = randomUuid(rng);
    lines.push({
      parentUuid: parent,
      isSidechain: false,
      promptId: randomUuid(rng),
      type: 'user',
      message: { role: 'user', content: prompt },
      uuid: userUuid,
      timestamp: ts(),
      permissionMode: 'default',
      ...envelope,
    });
    const attachmentUuid = randomUuid(rng);
    lines.push({
      parentUuid: userUuid,
      isSidechain: false,
      attachment: {
        type: 'environment',
        snapshot: { workingDirectory: spec.cwd, platform: 'linux', shell: 'bash' },
        note: FILLER.repeat(Math.max(1, Math.ceil(padding / FILLER.length))).slice(0, padding),
      },
      type: 'attachment',
      uuid: attachmentUuid,
      timestamp: ts(),
      ...envelope,
    });
    const answerUuid = randomUuid(rng);
    lines.push({
      parentUuid: attachmentUuid,
      isSidechain: false,
      message: {
        id: `msg_${randomUuid(rng).replace(/-/g, '').slice(0, 24)}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-opus-5-5',
        content: [{ type: 'text', text: `Answer ${index + 1} to: ${prompt}` }],
        stop_reason: 'end_turn',
      },
      type: 'assistant',
      uuid: answerUuid,
      timestamp: ts(),
      ...envelope,
    });
    if (index === 0 && spec.aiTitle !== undefined) {
      lines.push({ type: 'ai-title', aiTitle: spec.aiTitle, sessionId: spec.sessionId });
    }
    parent = answerUuid;
    leaf = answerUuid;
  });
  const last = spec.prompts[spec.prompts.length - 1];
  if (last !== undefined)
    lines.push({ type: 'last-prompt', lastPrompt: last, leafUuid: leaf, sessionId: spec.sessionId });
  if (spec.customTitle !== undefined) {
    lines.push({ type: 'custom-title', customTitle: spec.customTitle, sessionId: spec.sessionId });
    lines.push({ type: 'agent-name', agentName: spec.customTitle, sessionId: spec.sessionId });
  }
  if (spec.tag !== undefined) lines.push({ type: 'tag', tag: spec.tag, sessionId: spec.sessionId });
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** The time of the last line a generated transcript holds, for setting its mtime. */
export function transcriptEndMs(text: string): number {
  let latest = 0;
  for (const m of text.matchAll(/"timestamp":"([^"]+)"/g)) {
    const v = Date.parse(m[1] ?? '');
    if (v > latest) latest = v;
  }
  return latest;
}

/** The leaf uuid of the last `last-prompt` line of a generated transcript, to resume from. */
export function transcriptLeafUuid(text: string): string | undefined {
  let leaf: string | undefined;
  for (const m of text.matchAll(/"type":"last-prompt"[^\n]*?"leafUuid":"([^"]+)"/g)) leaf = m[1];
  return leaf;
}
