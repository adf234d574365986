import type { FillMaskBackendV1 } from './fill-mask-backend-v1.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';

/** Backends that can be named in a config, and the package that provides each. */
const backendPackages: Record<string, string> = {
  onnx: '@fillmask/backend-onnx',
  web: '@fillmask/backend-web',
  remote: '@fillmask/backend-remote',
};

interface BackendPackage {
  createBackend(options?: Record<string, unknown>): FillMaskBackendV1;
}

/**
 * A backend instance as is, or a named backend's package imported on first use. `packages` replaces
 * the name table, for tests of a package that is not installed.
 */
export async function resolveBackend(
  backend: string | FillMaskBackendV1,
  backendOptions: Record<string, unknown> | undefined,
  packages: Readonly<Record<string, string>> = backendPackages,
): Promise<FillMaskBackendV1> {
  if (typeof backend !== 'string') return checkSpecification(backend);
  // Own keys only: a name such as "constructor" must not find Object.prototype's members.
  const packageName = Object.hasOwn(packages, backend) ? packages[backend] : undefined;
  if (packageName === undefined) {
    throw new BackendUnavailableError({
      backend,
      reason: `no such backend; use one of ${Object.keys(packages)
        .map((name) => JSON.stringify(name))
        .join(', ')} or pass a backend instance.`,
    });
  }
  let module: Partial<BackendPackage>;
  try {
    // Kept opaque to bundlers: browser apps import their backend and pass the instance instead.
    module = await import(/* @vite-ignore */ /* webpackIgnore: true */ packageName);
  } catch (cause) {
    throw new BackendUnavailableError({
      backend,
      reason: `could not load ${packageName}; install it with npm install ${packageName}.`,
      cause,
    });
  }
  if (typeof module.createBackend !== 'function') {
    throw new BackendUnavailableError({ backend, reason: `${packageName} does not export createBackend().` });
  }
  return checkSpecification(module.createBackend(backendOptions));
}

function checkSpecification(backend: FillMaskBackendV1): FillMaskBackendV1 {
  const version = (backend as { specificationVersion?: unknown } | null)?.specificationVersion;
  const name = typeof backend?.name === 'string' ? backend.name : 'custom';
  if (version !== 'v1') {
    throw new BackendUnavailableError({
      backend: name,
      reason: `it implements backend specification ${JSON.stringify(version)}, and this @fillmask/core supports "v1". Upgrade @fillmask/core or the backend so they match.`,
    });
  }
  // A kind this core does not know would otherwise be run as a model backend and fail obscurely.
  const kind = (backend as { kind?: unknown }).kind;
  const entryPoint = kind === 'service' ? 'connect' : kind === undefined || kind === 'model' ? 'loadModel' : undefined;
  if (entryPoint === undefined) {
    throw new BackendUnavailableError({
      backend: name,
      reason: `it is a backend of kind ${JSON.stringify(kind)}, and this @fillmask/core knows "model" and "service". Upgrade @fillmask/core.`,
    });
  }
  if (typeof (backend as unknown as Record<string, unknown>)[entryPoint] !== 'function') {
    throw new BackendUnavailableError({
      backend: name,
      reason: `it has no ${entryPoint}() method, which a ${kind ?? 'model'} backend must have.`,
    });
  }
  return backend;
}
