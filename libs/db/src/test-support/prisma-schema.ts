import { readFileSync } from 'node:fs';

/** The tables, columns and named indexes a Prisma schema declares (enough of the grammar for prisma/schema.prisma). */
export interface DeclaredTable {
  readonly model: string;
  readonly table: string;
  readonly columns: readonly { name: string; nullable: boolean }[];
  readonly indexes: readonly string[];
}

export function readDeclaredTables(path: string): DeclaredTable[] {
  const text = readFileSync(path, 'utf8');
  const tables: DeclaredTable[] = [];
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, model, body] = match as unknown as [string, string, string];
    const lines = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('//'));
    const columns: { name: string; nullable: boolean }[] = [];
    const indexes: string[] = [];
    let table = model;
    for (const line of lines) {
      const tableMap = /^@@map\("([^"]+)"\)/.exec(line);
      if (tableMap) table = tableMap[1]!;
      for (const m of line.matchAll(/map:\s*"([^"]+)"/g)) indexes.push(m[1]!);
      const field = /^(\w+)\s+(\w+)(\?)?/.exec(line);
      if (field && !line.startsWith('@@')) {
        const mapped = /@map\("([^"]+)"\)/.exec(line);
        columns.push({ name: mapped ? mapped[1]! : field[1]!, nullable: field[3] === '?' });
      }
    }
    tables.push({ model, table, columns, indexes });
  }
  return tables;
}
