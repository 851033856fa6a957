// The path of a request URL without its query string: what logs may show of a request (a query
// could hold anything a client put there).
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}
