import { PrismaClient as MysqlPrismaClient, type Prisma as MysqlPrisma } from './generated/mysql/client.js';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.js';

/**
 * The two generated clients (prisma/schema.prisma and its derived SQLite twin) have the same
 * models and fields, so the repositories are written once against the MariaDB client's types.
 */
export type PrismaDb = MysqlPrismaClient;
export type PrismaTx = MysqlPrisma.TransactionClient;
export { MysqlPrismaClient, SqlitePrismaClient };
