/** klink's sample payloads (the project's samples/ folder), read through the real readers. */
import fs from 'node:fs';
import path from 'node:path';
import { type KlinkContact, type KlinkMessage, parseEnvelope, readContact, readMessage } from '../../../src/klink/events';

const PAYLOADS = path.resolve(__dirname, '../../../samples');

function envelope(file: string) {
  const result = parseEnvelope(JSON.parse(fs.readFileSync(path.join(PAYLOADS, file), 'utf8')));
  if (!result.ok) throw new Error(`${file}: ${result.problems.join('; ')}`);
  return result.envelope;
}

/** A message sample, e.g. `message.inbound.json` or `message.inbound.image.json`. */
export function sampleMessage(file: string): KlinkMessage {
  const { event, data } = envelope(file);
  return readMessage(event, data);
}

export function sampleContact(file: string): KlinkContact {
  return readContact(envelope(file).data);
}

export const MESSAGE_SAMPLES = [
  'message.inbound.json',
  'message.inbound.image.json',
  'message.inbound.messenger-direct.json',
  'message.outbound.json',
];
