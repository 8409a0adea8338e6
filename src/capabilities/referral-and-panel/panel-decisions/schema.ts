// The decision and split-template forms. The package and its time-varying split are read by the
// budgets' own parser (budgets/schema.ts parsePackageForm), so both forms word every problem
// the same way; a template's split is expanded from the package's dates (rules.expandTemplate).
import { packageTermsAsValues, parsePackageForm, parsePercent, type Split } from '../../money/budgets/index.js';
import { z } from 'zod';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { toFieldErrors } from '../../../platform/http/forms.js';
import type { PackageInput } from '../../money/budgets/index.js';
import { expandTemplate, isApproval, MAX_TEMPLATE_PARTS, OUTCOMES, type Outcome, type TemplateSegment } from './rules.js';
import type { DecisionInput, SplitTemplate } from './service.js';
import { formText } from '../../../platform/http/form-values.js';

type Body = Record<string, unknown>;

const decisionFields = z.object({
  outcome: z.enum(Object.keys(OUTCOMES) as [Outcome, ...Outcome[]], { message: 'Select the panel’s decision' }),
  reasons: z
    .string({ message: 'Enter the reasons for the decision, in plain English' })
    .trim()
    .min(1, 'Enter the reasons for the decision, in plain English')
    .max(4000, 'The reasons must be 4000 characters or fewer'),
});

/**
 * The decision form. For an approval the package is required: either a new one with its pooling
 * agreement, or new terms for the package named in the hidden packageId (with the version the
 * form was filled from; whose package it is, the service checks). Either way, a split template
 * or a split typed in parts (as on the budgets package form).
 */
export function parseDecisionForm(
  body: Body,
  ctx: { partnerIds: string[]; agreementIds: string[]; templates: SplitTemplate[]; ledgerReason: string },
): DecisionInput {
  const errors: FieldError[] = [];
  const r = decisionFields.safeParse(body);
  if (!r.success) errors.push(...toFieldErrors(r.error));
  const outcome = r.success ? r.data.outcome : (formText(body.outcome) as Outcome);
  if (!(outcome in OUTCOMES) || !isApproval(outcome)) {
    if (errors.length) throw new ValidationError(errors);
    return { outcome: r.data!.outcome, reasons: r.data!.reasons };
  }

  const packageId = formText(body.packageId);
  const versionRaw = formText(body.packageVersion);
  const version = /^\d{1,9}$/.test(versionRaw) ? Number(versionRaw) : null;
  if (packageId && version === null)
    errors.push({ text: 'Choose the package to change again: the form did not say which version of it you started from', href: '#packageChoice' });
  const agreementId = formText(body.agreementId);
  if (!packageId && !ctx.agreementIds.includes(agreementId))
    errors.push({ text: 'Select the pooling agreement that pays for the package', href: '#agreementId' });
  const mode = formText(body.splitMode);
  let template: SplitTemplate | undefined;
  if (mode === 'template') {
    template = ctx.templates.find((t) => t.id === formText(body.templateId) && t.active);
    if (!template) errors.push({ text: 'Select the split template to use', href: '#templateId' });
  } else if (mode !== 'custom') {
    errors.push({ text: 'Select whether the split comes from a template or is entered by hand', href: '#splitMode' });
  }

  // A template's split replaces the typed parts; the budgets parser still reads everything else,
  // so it is given a stand-in split (the first partner paying 100%) that is then replaced.
  const input: Body = { ...body, reason: ctx.ledgerReason };
  if (mode !== 'custom') {
    for (const k of Object.keys(input)) if (/^split\d/.test(k)) delete input[k];
    if (ctx.partnerIds[0]) input[`split1-${ctx.partnerIds[0]}`] = '100';
  }
  let form: ReturnType<typeof parsePackageForm> | undefined;
  try {
    form = parsePackageForm(input, ctx.partnerIds, { needsChild: false });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors.push(...e.errors);
  }
  if (errors.length || !form || !r.success) throw new ValidationError(dedupe(errors));
  const split = template ? expandTemplate(template.segments, form.startsOn, form.endsOn) : form.split;
  const terms: PackageInput = {
    serviceCategory: form.serviceCategory,
    service: form.service,
    providerId: form.providerId,
    unitCostPence: form.unitCostPence,
    unitsX100: form.unitsX100,
    frequency: form.frequency,
    startsOn: form.startsOn,
    endsOn: form.endsOn,
    reviewOn: form.reviewOn,
    split,
    reason: ctx.ledgerReason,
  };
  return {
    outcome,
    reasons: r.data.reasons,
    package: packageId ? { kind: 'change', packageId, version: version!, terms } : { kind: 'new', agreementId, terms },
  };
}

/** A package's current terms as the decision form's values, so a change starts from what is in place. */
export function termsAsFormValues(pkg: Parameters<typeof packageTermsAsValues>[0] & { id: string }, split: Split): Body {
  return { ...packageTermsAsValues(pkg, split), packageId: pkg.id, packageVersion: String(pkg.version), splitMode: 'custom' };
}

const dedupe = (errors: FieldError[]) => errors.filter((e, i) => errors.findIndex((x) => x.href === e.href) === i);

/** The split template form: name, description, and up to three parts of days and shares. */
export function parseTemplateForm(body: Body, partnerIds: string[]): { name: string; description: string; segments: TemplateSegment[] } {
  const errors: FieldError[] = [];
  const name = formText(body.name);
  if (!name) errors.push({ text: 'Enter a name for the template, like Post-operative personal care', href: '#name' });
  else if (name.length > 200) errors.push({ text: 'The name must be 200 characters or fewer', href: '#name' });
  const description = formText(body.description);
  if (description.length > 1000) errors.push({ text: 'The description must be 1000 characters or fewer', href: '#description' });
  const segments: TemplateSegment[] = [];
  for (let n = 1; n <= MAX_TEMPLATE_PARTS; n++) {
    const daysRaw = formText(body[`part${n}Days`]);
    const shares: { partnerId: string; bp: number }[] = [];
    for (const id of partnerIds) {
      const raw = formText(body[`part${n}-${id}`]);
      if (!raw || raw === '0') continue;
      const bp = parsePercent(raw);
      if (bp === null)
        errors.push({ text: `Enter each share in part ${n} as a percentage from 0 to 100, with no more than 2 decimal places`, href: `#part${n}-${id}` });
      else shares.push({ partnerId: id, bp });
    }
    if (n > 1 && !daysRaw && shares.length === 0) continue;
    let days: number | null = null;
    if (daysRaw) {
      if (!/^\d{1,4}$/.test(daysRaw)) errors.push({ text: `Part ${n}: the number of days must be a whole number, like 42`, href: `#part${n}Days` });
      else days = Number(daysRaw);
    }
    segments.push({ days, shares });
  }
  if (errors.length) throw new ValidationError(dedupe(errors));
  return { name, description, segments };
}
