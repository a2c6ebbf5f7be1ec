/** A command's result as JSON with --json, otherwise as the lines an operator reads. */
export function printResult<T>(result: T, json: unknown, lines: (result: T) => readonly string[]): void {
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  for (const line of lines(result)) console.log(line);
}
