CREATE TABLE `login_failures` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`subject` char(64) NOT NULL,
	`failed_at_ms` bigint NOT NULL,
	CONSTRAINT `login_failures_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `login_failures_subject_idx` ON `login_failures` (`subject`,`failed_at_ms`);--> statement-breakpoint
CREATE INDEX `login_failures_time_idx` ON `login_failures` (`failed_at_ms`);