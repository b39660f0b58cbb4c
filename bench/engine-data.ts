export async function dataWaitCase(): Promise<Record<string, unknown>> {
  return {};
}
