-- The SQLite twin of prisma/migrations/20261202000000_init (same tables, columns and keys; SQLite
-- types as Prisma writes them). galileo-db's column names and order; added columns come last.

-- CreateTable
CREATE TABLE "experiments" (
    "EXP_ID" TEXT NOT NULL PRIMARY KEY,
    "NAME" TEXT,
    "CREATOR" TEXT,
    "START" REAL,
    "END" REAL,
    "CREATED" REAL,
    "STATUS" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "nodeinfo" (
    "EXP_ID" TEXT NOT NULL,
    "NODE" TEXT NOT NULL,
    "INFO_KEY" TEXT,
    "INFO_VALUE" TEXT,
    "ID" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
);

-- CreateTable
-- SUBSYSTEM_KEY is generated (Prisma cannot declare that): a NULL subsystem is one value in the key.
CREATE TABLE "telemetry" (
    "EXP_ID" TEXT NOT NULL,
    "TIMESTAMP" REAL NOT NULL,
    "METRIC" TEXT NOT NULL,
    "SUBSYSTEM" TEXT,
    "NODE" TEXT NOT NULL,
    "VALUE" REAL NOT NULL,
    "SUBSYSTEM_KEY" TEXT NOT NULL GENERATED ALWAYS AS (COALESCE("SUBSYSTEM", '')) STORED
);

-- CreateTable
CREATE TABLE "events" (
    "EXP_ID" TEXT NOT NULL,
    "TIMESTAMP" REAL NOT NULL,
    "NAME" TEXT NOT NULL,
    "VALUE" TEXT,
    "EVENT_ID" TEXT,
    "ID" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT
);

-- CreateTable
CREATE TABLE "traces" (
    "REQUEST_ID" TEXT NOT NULL,
    "CLIENT" TEXT NOT NULL,
    "SERVICE" TEXT NOT NULL,
    "CREATED" REAL NOT NULL,
    "SENT" REAL NOT NULL,
    "DONE" REAL NOT NULL,
    "STATUS" INTEGER,
    "RESPONSE" TEXT,
    "HEADERS" TEXT,
    "SERVER" TEXT,
    "EXP_ID" TEXT
);

-- CreateTable
CREATE TABLE "metadata" (
    "EXP_ID" TEXT NOT NULL PRIMARY KEY,
    "DATA" JSON NOT NULL
);

-- CreateTable
CREATE TABLE "instructions" (
    "EXP_ID" TEXT NOT NULL PRIMARY KEY,
    "INSTRUCTIONS" TEXT NOT NULL,
    "CONFIGURATION" TEXT
);

-- CreateTable
CREATE TABLE "processed_events" (
    "PROJECTION" TEXT NOT NULL,
    "EVENT_ID" TEXT NOT NULL,
    "PROCESSED_AT" REAL NOT NULL,

    PRIMARY KEY ("PROJECTION", "EVENT_ID")
);

-- CreateIndex
CREATE INDEX "experiments_status_idx" ON "experiments"("STATUS");

-- CreateIndex
CREATE INDEX "experiments_created_idx" ON "experiments"("CREATED");

-- CreateIndex
CREATE INDEX "nodeinfo_exp_node_idx" ON "nodeinfo"("EXP_ID", "NODE");

-- CreateIndex
CREATE UNIQUE INDEX "telemetry_point_key" ON "telemetry"("EXP_ID", "TIMESTAMP", "NODE", "METRIC", "SUBSYSTEM_KEY");

-- CreateIndex
CREATE UNIQUE INDEX "events_event_id_key" ON "events"("EXP_ID", "EVENT_ID");

-- CreateIndex
CREATE INDEX "events_exp_ts_idx" ON "events"("EXP_ID", "TIMESTAMP");

-- CreateIndex
CREATE UNIQUE INDEX "traces_request_id_key" ON "traces"("REQUEST_ID");

-- CreateIndex
CREATE INDEX "traces_exp_created_idx" ON "traces"("EXP_ID", "CREATED");
