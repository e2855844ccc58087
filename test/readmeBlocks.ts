// Finds the README's runnable code blocks. A block is runnable when its fence's info string has
// the word `runnable`: ```sh runnable, ```ts runnable, ```python runnable torch,
// ```json runnable file=pipeline.json. sh blocks run with bash, ts with tsx, python with
// Debian's /usr/bin/python3.
// Further words are requirements (`torch`, `chromium`, `fashion-mnist`: run only where that is
// installed) or settings (`file=NAME`: write the block to NAME instead of running it;
// `timeout=SECONDS`).

export type Requirement = 'torch' | 'chromium' | 'fashion-mnist';
export const REQUIREMENTS: readonly Requirement[] = ['torch', 'chromium', 'fashion-mnist'];

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  requires: Requirement[];
  /** Write the code to this file (relative to the scratch directory) instead of running it. */
  file?: string;
  timeoutSeconds?: number;
}

// A fence may be indented (a block inside a list item); its body loses that indentation.
export const RUN_LANGS = ['sh', 'bash', 'ts', 'python', 'py'];

const FENCE = /^( *)(`{3,})\s*(\S*)\s*(.*)$/;

/** Every runnable block, in README order; a malformed fence or unknown word is an error. */
export function runnableBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, ticks, lang, rest] = open;
    const body: string[] = [];
    let j = i + 1;
    const closes = (l: string) => l.startsWith(indent + ticks) && l.slice(indent.length + ticks.length).trim() === '';
    for (; j < lines.length && !closes(lines[j]); j++) body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    if (j === lines.length) throw new Error(`README line ${i + 1}: code block is never closed`);
    const words = rest.split(/\s+/).filter(Boolean);
    if (words.includes('runnable')) blocks.push(parseBlock(i + 1, lang, words, body.join('\n')));
    i = j;
  }
  return blocks;
}

function parseBlock(line: number, lang: string, words: string[], code: string): ReadmeBlock {
  const block: ReadmeBlock = { line, lang, code, requires: [] };
  for (const w of words) {
    if (w === 'runnable') continue;
    const [key, value] = w.split('=', 2);
    if (value !== undefined && key === 'file' && value) block.file = value;
    else if (value !== undefined && key === 'timeout' && Number(value) > 0) block.timeoutSeconds = Number(value);
    else if ((REQUIREMENTS as readonly string[]).includes(w)) block.requires.push(w as Requirement);
    else throw new Error(`README line ${line}: unknown word "${w}" after \`\`\`${lang} runnable (requirements: ${REQUIREMENTS.join(', ')}; settings: file=NAME, timeout=SECONDS)`);
  }
  if (!block.file && !RUN_LANGS.includes(lang)) {
    throw new Error(`README line ${line}: a runnable \`\`\`${lang} block needs file=NAME (only ${RUN_LANGS.join(', ')} blocks are run)`);
  }
  return block;
}
