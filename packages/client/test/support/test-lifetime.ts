import { afterAll, beforeAll, onTestFinished } from "vitest";
import type { AuthClient } from "../../src/index.js";
import { startGatehouse, type GatehouseUnderTest } from "./gatehouse-server.js";
import { startTeamApi, type TeamApi } from "./team-api.js";

/** One Gatehouse for the whole file: started before its tests, closed after them; read it inside a test. */
export function useGatehouse(): () => GatehouseUnderTest {
  let server: GatehouseUnderTest | undefined;
  beforeAll(async () => {
    server = await startGatehouse();
  });
  afterAll(() => server?.close());
  return () => {
    if (!server) throw new Error("the file's Gatehouse is read before beforeAll started it");
    return server;
  };
}

/** One Gatehouse and one team API that trusts it, for the whole file; read them inside a test. */
export function useTeamApi(): { gatehouse: () => GatehouseUnderTest; team: () => TeamApi } {
  let served: { gatehouse: GatehouseUnderTest; team: TeamApi } | undefined;
  beforeAll(async () => {
    const gatehouse = await startGatehouse();
    served = { gatehouse, team: await startTeamApi(gatehouse) };
  });
  afterAll(async () => {
    await served?.team.close();
    await served?.gatehouse.close();
  });
  const read = () => {
    if (!served) throw new Error("the file's servers are read before beforeAll started them");
    return served;
  };
  return { gatehouse: () => read().gatehouse, team: () => read().team };
}

/** A client made inside a test, disposed when the test ends (passed or failed), so no timer outlives it. */
export function disposedWithTest<T extends AuthClient>(client: T): T {
  onTestFinished(() => client.dispose());
  return client;
}
