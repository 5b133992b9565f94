/**
 * The small Markdown subset Teams renders on Adaptive Cards (bold, italic, links, line breaks),
 * as HTML for the card preview. Text is escaped first, so nothing in a card becomes markup of its
 * own; links are kept only for https URLs.
 */

export function cardMarkdownToHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\[([^\]]+)\]\((https:\/\/[^)\s"]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])_([^_]+)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/\r?\n/g, '<br>');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
