/**
 * Where sign-in may send the browser afterwards: a path on this site only. `/\evil.example` and `//evil.example`
 * both start with a slash, but browsers read them as another host; tabs and newlines are dropped by URL parsers
 * and can hide the same. So the path is resolved against a placeholder origin and must stay on it.
 */
const PLACEHOLDER = "https://portal.invalid";

export function safeCallbackPath(value: string | null | undefined, fallback = "/clusters"): string {
  if (!value || !value.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  try {
    const url = new URL(value, PLACEHOLDER);
    return url.origin === PLACEHOLDER ? `${url.pathname}${url.search}${url.hash}` : fallback;
  } catch {
    return fallback;
  }
}

/** next-auth's redirect callback: same-origin absolute URLs and site paths, anything else goes home. */
export function sameOriginRedirect(url: string, baseUrl: string): string {
  if (url.startsWith("/")) return `${baseUrl}${safeCallbackPath(url, "/")}`;
  try {
    return new URL(url).origin === new URL(baseUrl).origin ? url : baseUrl;
  } catch {
    return baseUrl;
  }
}
