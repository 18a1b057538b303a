CREATE TABLE `namespaces` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`key` varchar(128) NOT NULL,
	`name` varchar(200) NOT NULL,
	`description` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `namespaces_id` PRIMARY KEY(`id`),
	CONSTRAINT `namespaces_key_uq` UNIQUE(`key`)
);
--> statement-breakpoint
CREATE TABLE `environments` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`key` varchar(128) NOT NULL,
	`name` varchar(200) NOT NULL,
	`description` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `environments_id` PRIMARY KEY(`id`),
	CONSTRAINT `environments_key_uq` UNIQUE(`key`)
);
--> statement-breakpoint
CREATE TABLE `flags` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`namespace_id` bigint unsigned NOT NULL,
	`key` varchar(128) NOT NULL,
	`type` enum('boolean','string','number','json') NOT NULL,
	`description` text,
	`tags` mediumtext NOT NULL,
	`default_value` mediumtext,
	`archived` boolean NOT NULL DEFAULT false,
	`version` int unsigned NOT NULL DEFAULT 1,
	`deleted_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `flags_id` PRIMARY KEY(`id`),
	CONSTRAINT `flags_ns_key_uq` UNIQUE(`namespace_id`,`key`)
);
--> statement-breakpoint
CREATE TABLE `flag_values` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`flag_id` bigint unsigned NOT NULL,
	`environment_id` bigint unsigned NOT NULL,
	`value` mediumtext,
	`version` int unsigned NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`committed_at` datetime(3),
	CONSTRAINT `flag_values_id` PRIMARY KEY(`id`),
	CONSTRAINT `flag_values_flag_env_uq` UNIQUE(`flag_id`,`environment_id`)
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`actor_type` enum('user','api_token','system') NOT NULL,
	`actor_id` varchar(64),
	`actor_name` varchar(200) NOT NULL,
	`ip` varchar(64),
	`trace_id` varchar(64),
	`action` varchar(64) NOT NULL,
	`target_type` varchar(32) NOT NULL,
	`target_id` bigint unsigned,
	`namespace_key` varchar(128),
	`environment_key` varchar(128),
	`flag_key` varchar(128),
	`before` mediumtext,
	`after` mediumtext,
	`reason` text,
	CONSTRAINT `audit_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `outbox_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`etcd_key` varchar(512) NOT NULL,
	`op` enum('put','delete') NOT NULL,
	`version` int unsigned NOT NULL,
	`payload` mediumtext NOT NULL,
	`status` enum('pending','done','dead') NOT NULL DEFAULT 'pending',
	`attempts` int unsigned NOT NULL DEFAULT 0,
	`next_attempt_at` datetime(3) NOT NULL,
	`last_error` text,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`published_at` datetime(3),
	CONSTRAINT `outbox_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`email` varchar(254) NOT NULL,
	`name` varchar(200) NOT NULL,
	`password_hash` varchar(100),
	`is_super_admin` boolean NOT NULL DEFAULT false,
	`disabled_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `users_id` PRIMARY KEY(`id`),
	CONSTRAINT `users_email_uq` UNIQUE(`email`)
);
--> statement-breakpoint
CREATE TABLE `role_memberships` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`namespace_id` bigint unsigned,
	`role` enum('admin','editor','reviewer','viewer') NOT NULL,
	`environment_keys` mediumtext,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `role_memberships_id` PRIMARY KEY(`id`),
	CONSTRAINT `role_memberships_user_ns_uq` UNIQUE(`user_id`,`namespace_id`)
);
--> statement-breakpoint
CREATE TABLE `sdk_keys` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(200) NOT NULL,
	`key_hash` varchar(64) NOT NULL,
	`prefix` varchar(24) NOT NULL,
	`environment_id` bigint unsigned NOT NULL,
	`namespace_keys` mediumtext,
	`created_by` varchar(200) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`revoked_at` datetime(3),
	CONSTRAINT `sdk_keys_id` PRIMARY KEY(`id`),
	CONSTRAINT `sdk_keys_hash_uq` UNIQUE(`key_hash`)
);
--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(200) NOT NULL,
	`token_hash` varchar(64) NOT NULL,
	`prefix` varchar(24) NOT NULL,
	`role` enum('admin','editor','reviewer','viewer') NOT NULL,
	`is_super_admin` boolean NOT NULL DEFAULT false,
	`namespace_keys` mediumtext,
	`created_by_user_id` bigint unsigned,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`expires_at` datetime(3),
	`revoked_at` datetime(3),
	`last_used_at` datetime(3),
	CONSTRAINT `api_tokens_id` PRIMARY KEY(`id`),
	CONSTRAINT `api_tokens_hash_uq` UNIQUE(`token_hash`)
);
--> statement-breakpoint
ALTER TABLE `flags` ADD CONSTRAINT `flags_namespace_id_namespaces_id_fk` FOREIGN KEY (`namespace_id`) REFERENCES `namespaces`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `flag_values` ADD CONSTRAINT `flag_values_flag_id_flags_id_fk` FOREIGN KEY (`flag_id`) REFERENCES `flags`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `flag_values` ADD CONSTRAINT `flag_values_environment_id_environments_id_fk` FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `role_memberships` ADD CONSTRAINT `role_memberships_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `role_memberships` ADD CONSTRAINT `role_memberships_namespace_id_namespaces_id_fk` FOREIGN KEY (`namespace_id`) REFERENCES `namespaces`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sdk_keys` ADD CONSTRAINT `sdk_keys_environment_id_environments_id_fk` FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD CONSTRAINT `api_tokens_created_by_user_id_users_id_fk` FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `flags_ns_archived_idx` ON `flags` (`namespace_id`,`archived`,`key`);--> statement-breakpoint
CREATE INDEX `audit_time_idx` ON `audit_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_flag_idx` ON `audit_events` (`namespace_key`,`flag_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_events` (`actor_name`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbox_claim_idx` ON `outbox_events` (`status`,`next_attempt_at`,`id`);--> statement-breakpoint
CREATE INDEX `outbox_prune_idx` ON `outbox_events` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `sdk_keys_env_idx` ON `sdk_keys` (`environment_id`);