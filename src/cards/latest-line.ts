/**
 * The line that stands for a message in a summary (a digest's room, a thread root's "latest"):
 * its text, or what it carries for media, since klink sends a media message's URL as its text.
 */
import type { KlinkMessage } from '../klink/events';

const MEDIA_LABELS: Readonly<Record<string, string>> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  file: 'File',
  document: 'File',
};

/** "Image", "File", … for media messages; the message text otherwise. */
export function latestLine(message: Pick<KlinkMessage, 'type' | 'text'>): string {
  return MEDIA_LABELS[message.type] ?? message.text;
}
