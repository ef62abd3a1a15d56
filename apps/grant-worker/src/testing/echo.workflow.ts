/** The smallest workflow there is: proves a worker and a client reach each other through a server. */
export async function echo(text: string): Promise<string> {
  return `echo: ${text}`;
}
