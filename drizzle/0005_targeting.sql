CREATE TABLE `segments` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`namespace_id` bigint unsigned NOT NULL,
	`key` varchar(128) NOT NULL,
	`name` varchar(200),
	`constraints` mediumtext NOT NULL,
	`version` int unsigned NOT NULL,
	`deleted_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `segments_id` PRIMARY KEY(`id`),
	CONSTRAINT `segments_ns_key_uq` UNIQUE(`namespace_id`,`key`)
);
--> statement-breakpoint
ALTER TABLE `flag_values` ADD `targeting` mediumtext;--> statement-breakpoint
ALTER TABLE `segments` ADD CONSTRAINT `segments_namespace_id_namespaces_id_fk` FOREIGN KEY (`namespace_id`) REFERENCES `namespaces`(`id`) ON DELETE no action ON UPDATE no action;