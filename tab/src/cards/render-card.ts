/**
 * Renders an Adaptive Card into a DOM element with the real renderer (the `adaptivecards`
 * package) and a Teams-like host config. Loaded on demand, only when a preview is shown. Actions
 * do nothing in the preview; card Markdown goes through the escaping subset of logic/markdown.ts.
 */
import { AdaptiveCard, HostConfig, SerializationContext } from 'adaptivecards';
import { cardMarkdownToHtml } from '../logic/markdown';
import type { ThemeKind } from '../logic/theme';
import { teamsHostConfig } from './host-config';

AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownToHtml(text);
  result.didProcess = true;
};

/** Replaces `target`'s content with the card; the problems the renderer found, if any. */
export function renderCard(card: object, target: HTMLElement, kind: ThemeKind): string[] {
  const adaptive = new AdaptiveCard();
  adaptive.hostConfig = new HostConfig(teamsHostConfig(kind));
  const context = new SerializationContext();
  adaptive.parse(card, context);
  const element = adaptive.render();
  target.replaceChildren(...(element ? [element] : []));
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of adaptive.validateProperties().validationEvents) problems.push(event.message);
  return problems;
}
