import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { entryHash, GENESIS_HASH, verifyChain, type AuditFields, type StoredEntry } from './chain.js';

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
