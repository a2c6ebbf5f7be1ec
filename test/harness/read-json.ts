/** Tests inspect response bodies loosely; the assertions, not the types, say what a body must hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function readJson(response: Response): Promise<Json> {
  return response.json();
}
