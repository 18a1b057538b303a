CREATE TABLE `sdk_last_seen` (
	`environment_key` varchar(128) NOT NULL,
	`namespace_key` varchar(128) NOT NULL,
	`revision` bigint unsigned NOT NULL,
	`seen_at` datetime(3) NOT NULL,
	CONSTRAINT `sdk_last_seen_pk` PRIMARY KEY(`environment_key`,`namespace_key`)
);
