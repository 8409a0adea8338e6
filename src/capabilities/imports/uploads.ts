// Multipart uploads for the imports page: the file is read into memory up to the 100 MB limit
// (a larger one is cut short and marked, so the page can say so plainly instead of failing the
// request), and the form's fields, the CSRF token among them, land in the body as text.
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { MAX_BYTES } from './rules.js';
import type { UploadedFile } from './routes.js';

export async function registerUploads(app: FastifyInstance): Promise<void> {
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
}
