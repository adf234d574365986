/**
 * The token to send with fill requests. One given to the backend is always sent. One found elsewhere
 * (the config's `accessToken`, `$HF_TOKEN`) is a Hugging Face token: it is sent to Hugging Face's
 * hosts only, so that pointing `endpointUrl` at another server never hands it over.
 */
export function chooseAccessToken(
  backendToken: string | undefined,
  configToken: string | undefined,
  endpointUrl: string | undefined,
  env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env,
): string | undefined {
  if (nonEmpty(backendToken) !== undefined) return nonEmpty(backendToken);
  if (endpointUrl !== undefined && !isHuggingFaceHost(new URL(endpointUrl).hostname)) return undefined;
  return nonEmpty(configToken) ?? nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
}

/** huggingface.co (the Inference API's router) and huggingface.cloud (Inference Endpoints). */
export function isHuggingFaceHost(hostname: string): boolean {
  return ['huggingface.co', 'huggingface.cloud'].some((domain) => hostname === domain || hostname.endsWith(`.${domain}`));
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
