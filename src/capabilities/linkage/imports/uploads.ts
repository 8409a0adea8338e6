// Multipart uploads for the imports page only. The parser is registered for the whole app (the
// plugin cannot be scoped to one route without changing the route wrapper), so a preParsing hook
// refuses every multipart body before a byte of it is read unless it is a POST to the upload
// route from a signed-in user who may import records. Only then is the file read into memory,
// up to the 100 MB limit (a larger one is cut short and marked, so the page can say so plainly),
// and the form's fields, the CSRF token among them, land in the body as text.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { paths } from '../../../paths.js';
import { MAX_BYTES } from './rules.js';
import type { UploadedFile } from './routes.js';

const isMultipart = (req: FastifyRequest) => /^multipart\//i.test(String(req.headers['content-type'] ?? ''));

/** Why a multipart request is refused before its body is read, or null when it may be parsed. */
export function multipartRefusal(req: FastifyRequest): { status: number; message: string } | null {
  if (!isMultipart(req)) return null;
  if (req.method !== 'POST' || req.routeOptions.url !== paths.imports.upload) {
    return { status: 415, message: 'This page does not accept file uploads. Send the form again from its page.' };
  }
  if (!req.user) return { status: 400, message: 'Sign in before uploading a file.' };
  if (!req.user.permissions.has('records:import')) return { status: 400, message: 'You do not have permission to upload agency extracts.' };
  return null;
}

/**
 * A multipart body the parser could not read (cut short, no boundary, a broken part): the request
 * never reached its route. The person is told plainly, with a 400, instead
 * of the fault page.
 */
export function unreadableUpload(req: FastifyRequest, err: { statusCode?: number }): boolean {
  return isMultipart(req) && !uploadsRead.has(req) && (err.statusCode === undefined || err.statusCode >= 500);
}

/** Requests whose multipart body was read to the end (marked by a hook after the parser's). */
const uploadsRead = new WeakSet<FastifyRequest>();

export const UNREADABLE_UPLOAD = {
  title: 'Your file could not be read',
  paragraphs: [
    'The upload was cut short or was not sent as a file from the imports page, so nothing has been saved.',
    'Go back to the imports page and upload the file again.',
  ],
};

export async function registerUploads(app: FastifyInstance): Promise<void> {
  app.addHook('preParsing', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    const refused = multipartRefusal(req);
    if (!refused) return payload;
    // Closing the connection afterwards means the unread body is never buffered.
    reply.header('connection', 'close');
    void reply.status(refused.status).type('text/plain; charset=utf-8').send(refused.message);
    return reply;
  });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_BYTES, files: 1, fields: 20, fieldSize: 10_000 },
    async onFile(part) {
      const chunks: Buffer[] = [];
      for await (const c of part.file) chunks.push(c as Buffer);
      const value: UploadedFile = { filename: part.filename, data: Buffer.concat(chunks), truncated: part.file.truncated };
      (part as unknown as { value: unknown }).value = value;
    },
  });
  // Runs after the parser's own preValidation hook, so only when the body was read whole.
  app.addHook('preValidation', (req: FastifyRequest, _reply, done) => {
    if (isMultipart(req)) uploadsRead.add(req);
    done();
  });
}
