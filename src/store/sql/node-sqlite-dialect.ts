/**
 * Kysely over Node's built-in SQLite (`node:sqlite`), with no native module. Kysely's own
 * SqliteDialect speaks to a better-sqlite3-shaped database; this adapts a `DatabaseSync` to that
 * shape. `node:sqlite` statements have no `reader` flag: a statement that returns columns is a
 * reader, which is what better-sqlite3's flag means too (RETURNING included).
 *
 * `DatabaseSync` is synchronous: every query blocks the event loop while it runs. Keep queries
 * indexed and batches small.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

export function createNodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: adaptDatabase(database) });
}

function adaptDatabase(database: DatabaseSync): SqliteDatabase {
  return {
    close: () => {
      if (database.isOpen) database.close();
    },
    prepare: (text: string): SqliteStatement => {
      const statement = database.prepare(text);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...toInputValues(parameters)),
        run: (parameters) => statement.run(...toInputValues(parameters)),
        iterate: (parameters) => statement.iterate(...toInputValues(parameters)),
      };
    },
  };
}

/**
 * `node:sqlite` binds null, numbers, bigints, strings and bytes. Booleans become 0/1 as SQLite
 * stores them; anything else (a Date, an object) is a caller's mistake, refused with what it was.
 */
function toInputValues(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value, index) => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'string' ||
      value instanceof Uint8Array
    ) {
      return value;
    }
    const kind = value instanceof Date ? 'a Date (write times as ISO strings)' : typeof value;
    throw new TypeError(
      `SQLite parameter ${index + 1}: expected null, a number, bigint, string or bytes, received ${kind}`,
    );
  });
}
