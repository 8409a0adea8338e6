// Pages of a child's record, built once. The form pair of a page that changes the record: for those who may change
// records ('children:edit'), opening the form audited as a read (it shows the child), and the
// child's section checked before the form is read, so a form refused for a child the person may
// change is audited against that child, and a child they may not see is not found. And the
// pages that show the record, each read audited.
import { formRoutes, type FormRoutes } from '../../../platform/http/form-routes.js';
import type { RouteResult, SignedInContext, SignedInRouteSpec } from '../../../platform/http/route.js';
import type { Access, Section } from './rules.js';
import { requireChild } from './service.js';

export interface ChildFormRoutes<F> extends Omit<FormRoutes<F, SignedInContext>, 'read' | 'auditReads'> {
  /** The part of the record the form changes: the person must be able to see it. */
  section: Section;
  /** How the form is read, once the child's section is checked (`access`: what the person may see). */
  read: (ctx: SignedInContext, access: Access) => F | Promise<F>;
}

export function childFormRoutes<F>({ section, read, ...spec }: ChildFormRoutes<F>): SignedInRouteSpec[] {
  return formRoutes<F>({
    ...spec,
    access: 'children:edit',
    auditReads: true,
    read: async (ctx) => read(ctx, await requireChild(ctx, ctx.params.id, section)),
  });
}

export interface ChildPage {
  url: string;
  audit: string;
  /** The part of the record the page shows: the person must be able to see it. */
  section: Section;
  /** Why the record is opened, for "who has looked". */
  purpose?: string;
  /** The page, once the child's section is checked (`access`: what the person may see). */
  show: (ctx: SignedInContext, access: Access) => Promise<RouteResult>;
}

/** A page of a child's record, for anyone who may view records: every read audited, the child's section checked first. */
export function childPage({ url, audit, section, purpose, show }: ChildPage): SignedInRouteSpec {
  return {
    method: 'GET',
    url,
    access: 'children:view',
    audit,
    auditReads: true,
    handler: async (ctx) => show(ctx, await requireChild(ctx, ctx.params.id, section, purpose)),
  };
}
