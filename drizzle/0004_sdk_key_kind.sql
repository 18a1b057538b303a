ALTER TABLE `sdk_keys` ADD `kind` enum('server','client') DEFAULT 'server' NOT NULL;--> statement-breakpoint
ALTER TABLE `sdk_keys` ADD `allowed_origins` mediumtext;