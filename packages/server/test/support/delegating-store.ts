import type { ArtifactStore } from '../../src/artifacts/artifact-store.ts';

/**
 * `store` with some of its methods replaced: to fail, count or act at a chosen call. It has no
 * `listWithBytes` or `batch`, which would go around a replaced `list` or `put`.
 */
export function delegatingStore(store: ArtifactStore, overrides: Partial<ArtifactStore>): ArtifactStore {
  return {
    url: store.url,
    put: (key, body) => store.put(key, body),
    get: (key, range) => store.get(key, range),
    stat: (key) => store.stat(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
    close: () => store.close(),
    ...overrides,
  };
}
