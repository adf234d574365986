import type { MaskPredictions } from '@fillmask/core';

/** One card per input: the input, then for each mask its candidates with a bar as long as the score. */
export function renderPredictions(container: HTMLElement, inputs: readonly string[], results: readonly MaskPredictions[][]): void {
  container.replaceChildren(
    ...inputs.map((input, inputIndex) => {
      const card = element('section', 'input-result');
      card.append(element('h2', 'input', input));
      results[inputIndex].forEach((predictions, maskIndex) => {
        const list = element('ol', 'mask');
        list.dataset.mask = String(maskIndex);
        if (results[inputIndex].length > 1) list.append(element('li', 'mask-title', `mask ${maskIndex + 1}`));
        for (const prediction of predictions) {
          const row = element('li', 'prediction');
          row.dataset.token = String(prediction.token);
          // Full precision for whoever reads the page (the browser tests do); the text shows 4 digits.
          row.dataset.score = String(prediction.score);
          const bar = element('span', 'bar');
          bar.style.width = `${Math.max(prediction.score * 100, 0.5)}%`;
          row.append(
            element('span', 'token', JSON.stringify(prediction.token_str)),
            element('span', 'track', bar),
            element('span', 'score', prediction.score.toFixed(4)),
          );
          row.title = prediction.sequence;
          list.append(row);
        }
        card.append(list);
      });
      return card;
    }),
  );
}

export function renderError(container: HTMLElement, error: unknown): void {
  const box = element('pre', 'error', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  container.replaceChildren(box);
}

function element(tag: string, className: string, content?: string | HTMLElement): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (typeof content === 'string') node.textContent = content;
  else if (content !== undefined) node.append(content);
  return node;
}
