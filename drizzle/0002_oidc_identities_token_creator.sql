CREATE TABLE `user_identities` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`user_id` bigint unsigned NOT NULL,
	`issuer` varchar(255) NOT NULL,
	`subject` varchar(255) NOT NULL,
	`identity_hash` char(64) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_sign_in_at` datetime(3),
	CONSTRAINT `user_identities_id` PRIMARY KEY(`id`),
	CONSTRAINT `user_identities_hash_uq` UNIQUE(`identity_hash`)
);
--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `created_by_token_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `user_identities` ADD CONSTRAINT `user_identities_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `user_identities_user_idx` ON `user_identities` (`user_id`);--> statement-breakpoint
-- Tokens minted by a token before this migration recorded their creator only in the audit log.
UPDATE `api_tokens` t JOIN `audit_events` a ON a.`action` = 'api_token.create' AND a.`target_type` = 'api_token' AND a.`target_id` = t.`id` AND a.`actor_type` = 'api_token' SET t.`created_by_token_id` = CAST(a.`actor_id` AS UNSIGNED) WHERE t.`created_by_token_id` IS NULL AND a.`actor_id` REGEXP '^[0-9]+$';
