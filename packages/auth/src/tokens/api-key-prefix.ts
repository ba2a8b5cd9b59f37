/**
 * What every API key begins with. A bearer credential that begins with it is
 * an API key, never an access token (a JWT begins with "ey"), so the
 * authorization gate and the rate limiter tell the two apart without a lookup.
 */
export const API_KEY_PREFIX = "gth_";
