// The checkpoint file (JSON Lines, one signed checkpoint a line, only ever appended to) and the
// signing key kept beside the embedded database when none is configured.
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkpointKey, checkpointLine, parseCheckpoint, parseCheckpointLines, type CheckpointKey, type SignedCheckpoint } from './checkpoints.js';

export function appendCheckpoint(file: string, c: SignedCheckpoint): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  appendFileSync(file, `${checkpointLine(c)}\n`, { encoding: 'utf8', mode: 0o644 });
}

/** Every checkpoint in the file (none when there is no file yet). */
export function readCheckpoints(file: string): { checkpoints: SignedCheckpoint[]; problems: string[] } {
  if (!existsSync(file)) return { checkpoints: [], problems: [] };
  return parseCheckpointLines(readFileSync(file, 'utf8'));
}

/** The file's last checkpoint, read from its end, so a long file costs the same as a short one. */
export function readLastCheckpoint(file: string): SignedCheckpoint | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16 * 1024);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!.trim();
      if (!line) continue;
      const c = parseCheckpoint(line);
      if (c) return c;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The key that signs checkpoints: the configured one, or (for the embedded default) one made on
 * first use and kept in the data folder, readable by its owner only. Several processes sharing a
 * PostgreSQL database must be given the same key (JOINTLY_AUDIT_CHECKPOINT_KEY).
 */
export function loadCheckpointKey(opts: { configured?: CheckpointKey | undefined; dataDir: string }): CheckpointKey {
  if (opts.configured) return opts.configured;
  const file = resolve(opts.dataDir, 'audit-checkpoint-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process made it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return checkpointKey(createPrivateKey(readFileSync(file, 'utf8')));
}
