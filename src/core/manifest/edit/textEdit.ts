/** A text edit, applying edits, and the error every manifest edit throws. */


export interface TextEdit {
  /** Offset of the first replaced character. */
  start: number;
  /** Offset after the last replaced character. */
  end: number;
  newText: string;
}

export class EditError extends Error {
  constructor(message: string, readonly code: 'syntax' | 'not-found' | 'shape') {
    super(message);
    this.name = 'EditError';
  }
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
