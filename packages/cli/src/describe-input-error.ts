import { InputTooLongError, MissingMaskError } from '@fillmask/core';

/**
 * An input's error as the CLI says it. The library numbers an input within the call that ran it,
 * which for a file is one chunk of lines; here `where` names it among all inputs (`line 40` of a
 * file, `input 3` of the TEXT arguments, `the input` when there is one). A too-long input's advice names --truncation, the CLI's
 * flag, rather than the library's option.
 */
export function describeInputError(error: Error, where: string, command: 'fill' | 'score'): string {
  const limitSentence = (length: number, limit: number) =>
    `${capitalize(where)} is ${length} tokens long (special tokens included) but the model accepts at most ${limit}.`;
  if (MissingMaskError.isInstance(error)) {
    return `No mask token found in ${where}: write [MASK] or <mask> where the model should fill in a word.`;
  }
  if (InputTooLongError.isInstance(error)) {
    const masksSpan = /Its masks span (\d+) tokens/.exec(error.message)?.[1];
    const advice =
      masksSpan !== undefined
        ? `Its masks span ${masksSpan} tokens, more than fit in one window: split it into several inputs.`
        : command === 'fill'
          ? `Shorten it, or pass --truncation to keep a window of ${error.limit} tokens around the masks.`
          : `Shorten it, or pass --truncation to score only its first ${error.limit} tokens.`;
    return `${limitSentence(error.length, error.limit)} ${advice}`;
  }
  return error.message;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
