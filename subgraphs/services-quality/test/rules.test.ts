import { average, checkFeedback, onTimeRate } from '../src/rules/feedback';
import { rulesLookup } from '../src/rules/reference';

const today = new Date(Date.UTC(2026, 10, 24));
const rules = rulesLookup()(today);

describe('feedback rules', () => {
  it('are read from versioned reference data', () => {
    expect(rules).toEqual({ ratingMin: 1, ratingMax: 5, commentMaxLength: 2000 });
  });

  it.each([1, 2, 3, 4, 5])('accepts rating %i', (rating) => {
    expect(checkFeedback({ rating }, rules)).toEqual({ ok: true, comment: null });
  });

  it.each([0, 6, -1, 2.5, Number.NaN])('refuses rating %p, naming the field', (rating) => {
    const result = checkFeedback({ rating }, rules);
    expect(result).toMatchObject({ ok: false, problem: { field: 'rating' } });
  });

  it('trims the comment and stores a blank one as null', () => {
    expect(checkFeedback({ rating: 4, comment: '  Quick and polite.  ' }, rules)).toEqual({ ok: true, comment: 'Quick and polite.' });
    expect(checkFeedback({ rating: 4, comment: '   ' }, rules)).toEqual({ ok: true, comment: null });
  });

  it('allows exactly 2000 characters, counting Kazakh letters and emoji as one each', () => {
    expect(checkFeedback({ rating: 3, comment: 'ә'.repeat(2000) }, rules).ok).toBe(true);
    expect(checkFeedback({ rating: 3, comment: '👍'.repeat(2000) }, rules).ok).toBe(true);
    expect(checkFeedback({ rating: 3, comment: 'a'.repeat(2001) }, rules)).toMatchObject({ ok: false, problem: { field: 'comment' } });
  });

  it('computes rates and averages, null when there is nothing to count', () => {
    expect(onTimeRate(0, 0)).toBeNull();
    expect(onTimeRate(8, 6)).toBe(0.75);
    expect(average(0, 0)).toBeNull();
    expect(average(9, 2)).toBe(4.5);
  });
});
