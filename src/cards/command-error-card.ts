/** The reply to a command that could not be carried out; it says that nothing was changed. */
import { escapeMarkdown } from './escape-markdown';
import { type AdaptiveCardJson, renderTemplate } from './render';
import template from './templates/command-error-card.json';
import { truncateText } from './truncate-text';
import { type CommandPlace, typedCommand } from './typed-command';

export interface CommandErrorCardInput {
  /** What went wrong, e.g. `I don't know the word "whatsap"`. */
  problem: string;
  /** e.g. `Did you mean "whatsapp"?` */
  suggestion?: string;
  /** A usage line, e.g. `subscribe <filters…>, e.g. subscribe whatsapp vip`. */
  usage?: string;
}

/** These strings quote what the user typed: shown literally and bounded. */
const LIMIT = 500;

/** The error, what to try instead, and how to get help as it is typed in `place`. */
export function commandErrorCard(input: CommandErrorCardInput, place: CommandPlace): AdaptiveCardJson {
  const literal = (text: string | undefined) => escapeMarkdown(truncateText((text ?? '').trim(), LIMIT).text);
  return renderTemplate(template, {
    problem: literal(input.problem) || 'That command did not work.',
    suggestion: literal(input.suggestion),
    usage: literal(input.usage),
    helpHint: `Nothing was changed. Type ${typedCommand('help', place)} to see every command and filter.`,
  });
}
