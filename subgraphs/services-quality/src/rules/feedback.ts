/** Rules for citizens' feedback; versioned reference data (`reference/feedback-rules.json`). */
export interface FeedbackRules {
  ratingMin: number;
  ratingMax: number;
  commentMaxLength: number;
}

/** The rules in force on a day; throws when no entry covers it (a configuration error). */
export type FeedbackRulesAt = (date: Date) => FeedbackRules;

export interface FeedbackDraft {
  rating: number;
  comment?: string | null;
}

/** A rule broken by a feedback entry: the input field and why. */
export interface FeedbackProblem {
  field: 'rating' | 'comment';
  message: string;
}

/**
 * Checks a citizen's feedback against the rules in force when it is submitted and returns the
 * comment as it is to be stored (trimmed; blank becomes null), or the first problem found.
 */
export function checkFeedback(
  draft: FeedbackDraft,
  rules: FeedbackRules,
): { ok: true; comment: string | null } | { ok: false; problem: FeedbackProblem } {
  if (!Number.isInteger(draft.rating) || draft.rating < rules.ratingMin || draft.rating > rules.ratingMax) {
    return {
      ok: false,
      problem: {
        field: 'rating',
        message: `rating must be a whole number from ${rules.ratingMin} to ${rules.ratingMax}`,
      },
    };
  }
  const comment = draft.comment?.trim() ?? '';
  // Length is counted in characters as a citizen sees them, not UTF-16 code units.
  if ([...comment].length > rules.commentMaxLength) {
    return {
      ok: false,
      problem: { field: 'comment', message: `comment must be at most ${rules.commentMaxLength} characters` },
    };
  }
  return { ok: true, comment: comment === '' ? null : comment };
}

/** Share of requests answered on time, or null when there were none. */
export function onTimeRate(requests: number, onTime: number): number | null {
  return requests > 0 ? onTime / requests : null;
}

/** Average of a sum over a count, or null when nothing was counted. */
export function average(sum: number, count: number): number | null {
  return count > 0 ? sum / count : null;
}
