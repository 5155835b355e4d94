-- galileo-db's tables (galileodb/sql/schema.sql, protocols §7.2) with their column names, types and
-- order; the columns this design adds (SUBSYSTEM_KEY, EVENT_ID, ID) come after galileo's.

-- CreateTable
CREATE TABLE `experiments` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `NAME` VARCHAR(100) NULL,
    `CREATOR` VARCHAR(100) NULL,
    `START` DOUBLE NULL,
    `END` DOUBLE NULL,
    `CREATED` DOUBLE NULL,
    `STATUS` VARCHAR(30) NOT NULL,

    INDEX `experiments_status_idx`(`STATUS`),
    INDEX `experiments_created_idx`(`CREATED`),
    PRIMARY KEY (`EXP_ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `nodeinfo` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `NODE` VARCHAR(50) NOT NULL,
    `INFO_KEY` VARCHAR(50) NULL,
    `INFO_VALUE` TEXT NULL,
    `ID` INTEGER NOT NULL AUTO_INCREMENT,

    INDEX `nodeinfo_exp_node_idx`(`EXP_ID`, `NODE`),
    PRIMARY KEY (`ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
-- SUBSYSTEM_KEY is generated (Prisma cannot declare that): a NULL subsystem is one value in the key.
CREATE TABLE `telemetry` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `TIMESTAMP` DOUBLE NOT NULL,
    `METRIC` VARCHAR(100) NOT NULL,
    `SUBSYSTEM` VARCHAR(100) NULL,
    `NODE` VARCHAR(50) NOT NULL,
    `VALUE` DOUBLE NOT NULL,
    `SUBSYSTEM_KEY` VARCHAR(100) AS (COALESCE(`SUBSYSTEM`, '')) STORED,

    UNIQUE INDEX `telemetry_point_key`(`EXP_ID`, `TIMESTAMP`, `NODE`, `METRIC`, `SUBSYSTEM_KEY`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `events` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `TIMESTAMP` DOUBLE NOT NULL,
    `NAME` VARCHAR(100) NOT NULL,
    `VALUE` TEXT NULL,
    `EVENT_ID` VARCHAR(64) NULL,
    `ID` INTEGER NOT NULL AUTO_INCREMENT,

    UNIQUE INDEX `events_event_id_key`(`EXP_ID`, `EVENT_ID`),
    INDEX `events_exp_ts_idx`(`EXP_ID`, `TIMESTAMP`),
    PRIMARY KEY (`ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `traces` (
    `REQUEST_ID` VARCHAR(36) NOT NULL,
    `CLIENT` VARCHAR(50) NOT NULL,
    `SERVICE` VARCHAR(50) NOT NULL,
    `CREATED` DOUBLE NOT NULL,
    `SENT` DOUBLE NOT NULL,
    `DONE` DOUBLE NOT NULL,
    `STATUS` INTEGER NULL,
    `RESPONSE` TEXT NULL,
    `HEADERS` TEXT NULL,
    `SERVER` VARCHAR(50) NULL,
    `EXP_ID` VARCHAR(100) NULL,

    UNIQUE INDEX `traces_request_id_key`(`REQUEST_ID`),
    INDEX `traces_exp_created_idx`(`EXP_ID`, `CREATED`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `metadata` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `DATA` JSON NOT NULL,

    PRIMARY KEY (`EXP_ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `instructions` (
    `EXP_ID` VARCHAR(100) NOT NULL,
    `INSTRUCTIONS` MEDIUMTEXT NOT NULL,
    `CONFIGURATION` MEDIUMTEXT NULL,

    PRIMARY KEY (`EXP_ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `processed_events` (
    `PROJECTION` VARCHAR(100) NOT NULL,
    `EVENT_ID` VARCHAR(64) NOT NULL,
    `PROCESSED_AT` DOUBLE NOT NULL,

    PRIMARY KEY (`PROJECTION`, `EVENT_ID`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
