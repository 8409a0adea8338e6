import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { entryHash, GENESIS, GENESIS_HASH, sealEntries, verifyChain, verifySequence, type AuditFields, type SealedEntry, type StoredEntry } from './chain.js';

/** expect.stringMatching, typed as the string it stands for. */
const matching = (re: RegExp) => expect.stringMatching(re) as string;

const fieldsArb: fc.Arbitrary<AuditFields> = fc.record({
  at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
  user_id: fc.option(fc.uuid(), { nil: null }),
  organisation_id: fc.option(fc.uuid(), { nil: null }),
  roles: fc.constantFrom('', 'caseworker', 'partnership-administrator,caseworker'),
  action: fc.stringMatching(/^[a-z.-]{1,30}$/),
  subject_type: fc.option(fc.constantFrom('user', 'organisation', 'child'), { nil: null }),
  subject_id: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  purpose: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  result: fc.constantFrom('allowed' as const, 'denied' as const),
  request_id: fc.option(fc.uuid(), { nil: null }),
  details: fc.json(),
});

function chain(all: AuditFields[]): StoredEntry[] {
  let prev = GENESIS_HASH;
  return all.map((f, i) => {
    const hash = entryHash(prev, f);
    const e = { ...f, id: i + 1, prev_hash: prev, hash };
    prev = hash;
    return e;
  });
}

describe('audit hash chain', () => {
  it('accepts an untouched chain', () => {
    fc.assert(
      fc.property(fc.array(fieldsArb, { maxLength: 30 }), (all) => {
        expect(verifyChain(chain(all))).toEqual({ ok: true, checked: all.length });
      }),
    );
  });

  it('reports the first altered entry, whatever field is changed', () => {
    const keys = ['at', 'user_id', 'organisation_id', 'roles', 'action', 'subject_type', 'subject_id', 'purpose', 'result', 'request_id', 'details'] as const;
    fc.assert(
      fc.property(fc.array(fieldsArb, { minLength: 1, maxLength: 20 }), fc.nat(), fc.constantFrom(...keys), (all, n, key) => {
        const entries = chain(all);
        const i = n % entries.length;
        const e = entries[i]!;
        const changed: StoredEntry =
          key === 'at'
            ? { ...e, at: new Date(e.at.getTime() + 1000) }
            : key === 'result'
              ? { ...e, result: e.result === 'allowed' ? 'denied' : 'allowed' }
              : { ...e, [key]: `${String(e[key])}x` };
        entries[i] = changed;
        const verdict = verifyChain(entries);
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) {
          expect(verdict.brokenAt).toBe(i + 1);
          expect(verdict.checked).toBe(i);
        }
      }),
    );
  });

  it('reports a deleted entry at the entry after the gap', () => {
    fc.assert(
      fc.property(fc.array(fieldsArb, { minLength: 2, maxLength: 20 }), fc.nat(), (all, n) => {
        const entries = chain(all);
        const i = n % (entries.length - 1); // not the last: deleting the newest row leaves a valid (shorter) chain
        const without = entries.filter((_, j) => j !== i);
        const verdict = verifyChain(without);
        expect(verdict).toMatchObject({ ok: false, brokenAt: i + 2 });
      }),
    );
  });

  it('detects a re-hashed forgery only if every later hash is recomputed too', () => {
    const entries = chain([
      {
        at: new Date('2026-01-01'),
        user_id: null,
        organisation_id: null,
        roles: '',
        action: 'a',
        subject_type: null,
        subject_id: null,
        purpose: null,
        result: 'allowed',
        request_id: null,
        details: '{}',
      },
      {
        at: new Date('2026-01-02'),
        user_id: null,
        organisation_id: null,
        roles: '',
        action: 'b',
        subject_type: null,
        subject_id: null,
        purpose: null,
        result: 'allowed',
        request_id: null,
        details: '{}',
      },
    ]);
    const forged = { ...entries[0]!, action: 'forged' };
    forged.hash = entryHash(GENESIS_HASH, forged);
    expect(verifyChain([forged, entries[1]!])).toMatchObject({ ok: false, brokenAt: 2 });
  });
});

/** Entries sealed in the order given, with ids that need not follow it (ids commit out of order). */
function sealed(all: AuditFields[], ids = all.map((_, i) => i + 1)): SealedEntry[] {
  const entries = all.map((f, i) => ({ ...f, id: ids[i]! }));
  const seals = sealEntries(GENESIS, entries);
  return entries.map((e, i) => ({ ...e, ...seals[i]! }));
}

describe('sealing and checking by position', () => {
  it('gives consecutive positions from the head, each hash over the one before, whatever the ids', () => {
    fc.assert(
      fc.property(fc.array(fieldsArb, { maxLength: 20 }), fc.array(fieldsArb, { maxLength: 20 }), (first, second) => {
        const a = sealed(
          first,
          first.map((_, i) => 1000 - i),
        );
        const head = a.length ? { seq: a.at(-1)!.seq, hash: a.at(-1)!.hash } : GENESIS;
        const more = sealEntries(
          head,
          second.map((f, i) => ({ ...f, id: 5 + i })),
        );
        expect(more.map((s) => s.seq)).toEqual(second.map((_, i) => head.seq + i + 1));
        const b = second.map((f, i) => ({ ...f, ...more[i]! }));
        expect(verifySequence([...a, ...b])).toEqual({
          ok: true,
          checked: first.length + second.length,
          head: b.length ? { seq: b.at(-1)!.seq, hash: b.at(-1)!.hash } : head,
        });
        // Checking from the head of the first part needs only the second.
        expect(verifySequence(b, head)).toMatchObject({ ok: true, checked: second.length });
      }),
    );
  });

  it('reports an altered entry at its position', () => {
    fc.assert(
      fc.property(fc.array(fieldsArb, { minLength: 1, maxLength: 20 }), fc.nat(), (all, n) => {
        const entries = sealed(all);
        const i = n % entries.length;
        entries[i] = { ...entries[i]!, action: `${entries[i]!.action}x` };
        expect(verifySequence(entries)).toMatchObject({ ok: false, position: i + 1, brokenAt: entries[i].id, checked: i });
      }),
    );
  });

  it('reports a deleted entry at its missing position, even the last but one', () => {
    fc.assert(
      fc.property(fc.array(fieldsArb, { minLength: 2, maxLength: 20 }), fc.nat(), (all, n) => {
        const entries = sealed(all);
        const i = n % (entries.length - 1);
        const verdict = verifySequence(entries.filter((_, j) => j !== i));
        expect(verdict).toMatchObject({ ok: false, position: i + 1, brokenAt: entries[i + 1]!.id });
        expect(!verdict.ok && verdict.reason).toBe(`the entry at position ${i + 1} is missing (deleted)`);
      }),
    );
  });

  it('reports an entry inserted by renumbering the ones after it at the entry it pushed along', () => {
    const entries = sealed(Array.from({ length: 6 }, (_, i) => ({ ...plain(`a${i}`) })));
    const forged = { ...plain('forged'), id: 99, seq: 3, prev_hash: entries[1]!.hash, hash: '' };
    forged.hash = entryHash(forged.prev_hash, forged);
    const tampered = [...entries.slice(0, 2), forged, ...entries.slice(2).map((e) => ({ ...e, seq: e.seq + 1 }))];
    expect(verifySequence(tampered)).toMatchObject({ ok: false, position: 4, brokenAt: entries[2]!.id });
  });

  it('reports a position given twice', () => {
    const entries = sealed([plain('a'), plain('b')]);
    expect(verifySequence([entries[0]!, { ...entries[1]!, seq: 1 }])).toMatchObject({ ok: false, position: 1, brokenAt: entries[1]!.id });
  });

  it('exposes a table re-chained from an altered entry through a signed hash, and only there', () => {
    const entries = sealed(Array.from({ length: 8 }, (_, i) => plain(`a${i}`)));
    const signed = new Map([
      [2, entries[1]!.hash],
      [6, entries[5]!.hash],
    ]);
    expect(verifySequence(entries, GENESIS, signed)).toMatchObject({ ok: true, checked: 8 });
    // Entry 4 changed and every hash from it on recomputed: a consistent chain.
    const rewritten = sealed(entries.map((e, i) => (i === 3 ? { ...e, action: 'rewritten' } : e)));
    expect(verifySequence(rewritten)).toMatchObject({ ok: true });
    expect(verifySequence(rewritten, GENESIS, signed)).toMatchObject({
      ok: false,
      position: 6,
      reason: matching(/signed checkpoint at position 6/),
    });
  });
});

function plain(action: string): AuditFields {
  return {
    at: new Date('2026-01-01'),
    user_id: null,
    organisation_id: null,
    roles: '',
    action,
    subject_type: null,
    subject_id: null,
    purpose: null,
    result: 'allowed',
    request_id: null,
    details: '{}',
  };
}
