// card-reasons.test.mjs — the user card's "Why" (www/js/individuals-model.js cardReasons, no
// browser needed): for a correctly and a wrongly flagged user of each class, every reason given
// points the way the attack decided — never the other way — and the popular-list note is there
// under protocol popular.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cardReasons, sharedNonMemberList } from '../../www/js/individuals-model.js';

const POPULAR = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const dist = { member: 1.0, nonMember: 3.0 };
const user = (member, score, list, d) => ({ member, score, list, centroid_distance: d });
const personal = [1, 2, 31, 32, 33, 34, 35, 36, 37, 38]; // 20 % popular

// Does a sentence say "member-like" or "non-member-like"?
const saysMember = (s) => /Looks like a member|a personal list, as members get/.test(s);
const saysNon = (s) => /Looks like a non-member|looks like a non-member/.test(s);

test('a sharedNonMemberList is the one list every non-member got, else null', () => {
  assert.deepEqual(sharedNonMemberList([user(false, 0, POPULAR, 3), user(false, 0, POPULAR, 2), user(true, 1, personal, 1)]), POPULAR);
  assert.equal(sharedNonMemberList([user(false, 0, POPULAR, 3), user(false, 0, personal, 2)]), null);
});

for (const [name, rec, flagged] of [
  ['a member rightly flagged', user(true, 2, personal, 0.8), true],
  ['a member missed (a list close to the popular one)', user(true, -1, [...POPULAR.slice(0, 9), 40], 3.4), false],
  ['a non-member rightly passed', user(false, -2, POPULAR, 3.2), false],
  // The case: a wrongly flagged non-member with a mainstream taste. Its list IS the popular
  // list (which points to non-member): that must not be given as the reason it was flagged.
  ['a non-member wrongly flagged (mainstream taste)', user(false, 1.5, POPULAR, 1.2), true],
]) {
  test(`the reasons for ${name} point the way the attack decided`, () => {
    const why = cardReasons(rec, 0, { popular: POPULAR, dist });
    assert.equal(why.flagged, flagged);
    assert.ok(why.reasons.length >= 1);
    for (const r of why.reasons) {
      if (flagged) assert.ok(!saysNon(r), `flagged, yet: ${r}`);
      else assert.ok(!saysMember(r), `not flagged, yet: ${r}`);
    }
    assert.ok(why.reasons.some(flagged ? saysMember : saysNon), `a reason for the verdict: ${why.reasons}`);
    assert.match(why.note, /every non-member gets the same popular list/);
  });
}

test('when no simple number supports the verdict, the card says so instead of inventing a reason', () => {
  // Flagged, but its list is the popular list and its distance sits with the non-members'.
  const why = cardReasons(user(false, 1, POPULAR, 3.1), 0, { popular: POPULAR, dist });
  assert.equal(why.reasons.length, 1);
  assert.match(why.reasons[0], /None of the simple numbers here explains the verdict/);
  // Under fold-in there is no shared popular list, and no note about it.
  const fold = cardReasons(user(true, 1, personal, 0.9), 0, { popular: null, dist });
  assert.equal(fold.note, '');
  assert.ok(fold.reasons.every((r) => !/popular list/.test(r)));
});
