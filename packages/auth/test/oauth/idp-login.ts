/**
 * Signs in at the local IdP over plain HTTP, as a browser would: follows its
 * redirects, fills its development login page with `login` and confirms its
 * consent page, keeping its cookies, until it redirects to `redirectUri`.
 * Answers that URL (with `code`, `state` and `iss`). For the app flow, where
 * no browser is needed to prove the point; the browser flow runs in Chromium.
 */
export async function signInAtIdp(authorizationUrl: string, login: string, redirectUri: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      body,
      redirect: "manual",
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const [name, value] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      if (value) cookies.set(name, value);
      else cookies.delete(name);
    }
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get("location")!, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next.href;
      body = undefined;
      continue;
    }
    const html = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !prompt || !action) throw new Error(`unexpected IdP page (${response.status}): ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, "&"), url).href;
    body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt });
  }
  throw new Error("the IdP never redirected back");
}
