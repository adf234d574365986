export async function openModel(model: string, _options: unknown = {}): Promise<never> { throw new Error('TEMPORARY: openModel not written yet ' + model); }
