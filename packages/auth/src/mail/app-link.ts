/** A link into the app for a mail: `APP_URL` + path, carrying a single-use token. */
export function appLink(appUrl: string, path: string, token: string): string {
  return `${appUrl.replace(/\/$/, "")}${path}?token=${encodeURIComponent(token)}`;
}
