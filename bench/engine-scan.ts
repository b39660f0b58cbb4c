export async function scanCase(_k: string): Promise<Record<string, unknown>> {
  return {};
}
