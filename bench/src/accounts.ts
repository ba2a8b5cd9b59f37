/** Setup only (not measured): creates accounts over the public API in token mode. */

export const PASSWORD = "correct horse battery staple";

export interface SignedUp {
  email: string;
  accessToken: string;
  refreshToken: string;
}

async function signup(baseUrl: string, email: string): Promise<SignedUp> {
  const response = await fetch(`${baseUrl}/trpc/auth.signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`signup of ${email} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  const data = (JSON.parse(text) as { result?: { data?: Partial<SignedUp> } }).result?.data;
  if (!data?.accessToken || !data.refreshToken) throw new Error(`signup of ${email} returned no token pair: ${text.slice(0, 300)}`);
  return { email, accessToken: data.accessToken, refreshToken: data.refreshToken };
}

/** Signs up `count` fresh users, `parallel` at a time; each signup is one session with one unused refresh token. */
export async function signUpMany(baseUrl: string, count: number, label: string, parallel = 8): Promise<SignedUp[]> {
  const results: SignedUp[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await signup(baseUrl, `bench.${label}.${i}.${process.pid}@example.com`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}
