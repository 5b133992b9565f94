/** Recognises media links in message text that are safe to put on a card. */

/** Longer URLs are shown as text: no CDN needs them and they would crowd the card. */
const MAX_URL_LENGTH = 2048;
const IMAGE_PATH = /\.(png|jpe?g|gif)$/i;

/** The normalized URL when `text` is exactly one https URL, else null. */
export function httpsUrl(text: string): string | null {
  const candidate = text.trim();
  if (candidate.length > MAX_URL_LENGTH || /\s/.test(candidate) || !/^https:\/\//i.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch (err) {
    if (err instanceof TypeError) return null; // not a URL: the caller shows the text instead
    throw err;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  // Parentheses and brackets would end a Markdown link destination early.
  return url.href.replace(/[()[\]<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL when `text` is an https link to a png, jpg/jpeg or gif image (Teams shows no other types). */
export function httpsImageUrl(text: string): string | null {
  const href = httpsUrl(text);
  if (href === null) return null;
  return IMAGE_PATH.test(new URL(href).pathname) ? href : null;
}
