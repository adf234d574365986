import type { DownloadProgress } from '@fillmask/core';
import type { WebExecutionProvider } from '@fillmask/backend-web';
import { exampleModels, exampleText } from './example-models.js';
import { openFillMask, type FillMaskSettings, type OpenedFillMask } from './open-fill-mask.js';
import { renderError, renderPredictions } from './render-predictions.js';

const form = document.querySelector<HTMLFormElement>('#fill-form')!;
const modelSelect = document.querySelector<HTMLSelectElement>('#model')!;
const customModelInput = document.querySelector<HTMLInputElement>('#custom-model')!;
const dtypeSelect = document.querySelector<HTMLSelectElement>('#dtype')!;
const providerSelect = document.querySelector<HTMLSelectElement>('#execution-provider')!;
const topKInput = document.querySelector<HTMLInputElement>('#top-k')!;
const workerCheckbox = document.querySelector<HTMLInputElement>('#use-worker')!;
const textArea = document.querySelector<HTMLTextAreaElement>('#text')!;
const fillButton = document.querySelector<HTMLButtonElement>('#fill')!;
const status = document.querySelector<HTMLOutputElement>('#status')!;
const results = document.querySelector<HTMLDivElement>('#results')!;

for (const { label, model } of exampleModels) modelSelect.append(new Option(label, model));
textArea.value = exampleText;

let opened: { key: string; value: Promise<OpenedFillMask> } | undefined;

function currentSettings(): FillMaskSettings {
  return {
    model: customModelInput.value.trim() || modelSelect.value,
    dtype: dtypeSelect.value === 'q8' ? 'q8' : 'fp32',
    executionProvider: providerSelect.value as WebExecutionProvider,
    useWorker: workerCheckbox.checked,
  };
}

/** The fill-mask object of the current settings, loaded once and kept until a setting changes. */
async function fillMaskFor(settings: FillMaskSettings): Promise<OpenedFillMask> {
  const key = JSON.stringify(settings);
  if (opened?.key !== key) {
    const previous = opened?.value;
    opened = { key, value: openFillMask(settings, showDownload) };
    void previous?.then((old) => old.close()).catch(() => undefined);
  }
  return opened.value;
}

function showDownload(progress: DownloadProgress): void {
  const total = progress.totalBytes === undefined ? '' : ` of ${kilobytes(progress.totalBytes)}`;
  status.textContent =
    progress.status === 'cached'
      ? `${progress.file}: from the browser cache`
      : `${progress.file}: ${kilobytes(progress.loadedBytes)}${total}`;
}

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en')} KiB`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void fill();
});

async function fill(): Promise<void> {
  fillButton.disabled = true;
  document.body.dataset.state = 'busy';
  try {
    const settings = currentSettings();
    const { fillMask, runtime } = await fillMaskFor(settings);
    // Either spelling of the mask works: each becomes the model's own mask token.
    const inputs = textArea.value
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const modelInputs = inputs.map((line) => line.replaceAll('[MASK]', fillMask.maskToken).replaceAll('<mask>', fillMask.maskToken));
    const started = performance.now();
    const predictions = await fillMask.fill(modelInputs, { topK: Number(topKInput.value) || 5 });
    const elapsed = performance.now() - started;
    renderPredictions(results, modelInputs, predictions);
    const where = settings.useWorker ? 'in a Web Worker' : 'on the main thread';
    const provider =
      runtime === undefined
        ? settings.executionProvider
        : runtime.executionProvider === 'wasm'
          ? `WebAssembly, ${runtime.numThreads} thread${runtime.numThreads > 1 ? 's' : ''}`
          : 'WebGPU';
    const fellBack = runtime?.fallbackReason === undefined ? '' : ` (no WebGPU: ${runtime.fallbackReason})`;
    status.textContent = `${inputs.length} input${inputs.length > 1 ? 's' : ''} in ${elapsed.toFixed(0)} ms on ${provider}${fellBack}, ${where}`;
    status.dataset.executionProvider = runtime?.executionProvider ?? settings.executionProvider;
    document.body.dataset.state = 'done';
  } catch (error) {
    renderError(results, error);
    status.textContent = 'failed';
    document.body.dataset.state = 'failed';
  } finally {
    fillButton.disabled = false;
  }
}
