import { EventEmitter } from "node:events";
import type { KeyvStoreAdapter, StoredData } from "keyv";

/** The primitives a local (in-process) backend implements once; reads are synchronous. */
export interface LocalEntries {
  read(key: string): string | undefined;
  write(key: string, raw: string, ttlMs: number | undefined): void | Promise<void>;
  remove(key: string): boolean | Promise<boolean>;
  removeAll(): void | Promise<void>;
}

/**
 * Exposes local entries as a Keyv storage adapter, so Keyv's get/set/delete
 * and our atomic operations share one representation.
 */
export class LocalKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string | undefined;

  constructor(private readonly entries: LocalEntries) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.entries.read(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((key) => this.entries.read(key) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.entries.write(key, String(value), ttl && ttl > 0 ? ttl : undefined);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return await this.entries.remove(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let removed = false;
    for (const key of keys) removed = (await this.entries.remove(key)) || removed;
    return removed;
  }

  async has(key: string): Promise<boolean> {
    return this.entries.read(key) !== undefined;
  }

  async clear(): Promise<void> {
    await this.entries.removeAll();
  }
}
