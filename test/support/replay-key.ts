import { createHash } from 'node:crypto';
import type { CodecKey } from '../../src/temporal/codec';

/**
 * The key of the one encrypted replay history: derived from a public constant, a test fixture that
 * protects nothing (the history holds simulator data), so the replay test can decrypt it.
 */
export const REPLAY_CODEC_KEY: CodecKey = { id: 'replay-fixture', key: createHash('sha256').update('payouts replay fixture key').digest() };
